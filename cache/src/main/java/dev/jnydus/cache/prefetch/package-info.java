/**
 * Prefetch: worker threads separate from the readers, a token-bucket bandwidth limit, per-device
 * cancellation, and upstream's prefetch metrics. Imports {@code common}, {@code cache.device} and
 * the backend's {@code Sleeper}.
 */
package dev.jnydus.cache.prefetch;
