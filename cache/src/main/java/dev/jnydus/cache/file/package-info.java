/**
 * The blobcache/filecache and dummycache drivers: cache files in {@code work_dir} laid out as
 * upstream's, single-flight chunk fetching, read amplification, validation, the in-memory chunk
 * cache (Caffeine, bounded by bytes) and space-limit eviction. Imports {@code common},
 * {@code backend}, {@code cache.device}, {@code cache.state}, {@code cache.prefetch} and
 * {@code cache.meta}; nothing outside the cache module imports it except through
 * {@link dev.jnydus.cache.device.CacheFactory}.
 */
package dev.jnydus.cache.file;
