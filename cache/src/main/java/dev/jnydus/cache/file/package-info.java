/**
 * The blobcache/filecache and dummycache drivers: cache files in {@code work_dir} laid out as
 * upstream's, single-flight chunk fetching, read amplification, validation, the in-memory chunk
 * cache (Caffeine, bounded by bytes) and space-limit eviction.
 *
 * <p>One blob's cache ({@link dev.jnydus.cache.file.CachedBlob}, the read path) is built from
 * small parts, each checkable on its own: {@code ChunkIdentity} (which record is which chunk, by
 * index or by digest, and which records are corrupt), {@code BlobCacheFiles} (the data file and
 * chunk map in step), {@code InflightChunks} (claims on chunks being fetched, always completed,
 * waited for with a bound), {@code ChunkDecoder} (decoding and validation) and
 * {@code ChunkFetcher} (backend requests, amplification, storing).
 *
 * <p>Imports {@code common}, {@code backend}, {@code cache.device}, {@code cache.state},
 * {@code cache.prefetch}, {@code cache.meta}, and from {@code native} only
 * {@link dev.jnydus.sys.PositionalFile} (cache files must not be FileChannels, which an interrupt
 * closes for every reader; see docs/cache-durability.md). Nothing outside the cache module
 * imports it except through {@link dev.jnydus.cache.device.CacheFactory}.
 */
package dev.jnydus.cache.file;
