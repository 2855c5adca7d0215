/**
 * Blob metadata kept beside the cache files: the chunk-info table ({@code .blob.meta}) that tells
 * the cache where every chunk of a RAFS v6 blob lies, for read amplification and whole-blob
 * prefetch. Imports {@code common}, {@code backend} and {@code cache.device}.
 */
package dev.jnydus.cache.meta;
