/**
 * Prefetch: worker threads separate from the readers, a token-bucket bandwidth limit, per-device
 * cancellation, and upstream's prefetch metrics. Imports {@code common} and {@code cache.device}.
 */
package dev.jnydus.cache.prefetch;
