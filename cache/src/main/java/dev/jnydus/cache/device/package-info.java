/**
 * The cache's public facade, what the filesystem and fscache layers use: {@link
 * dev.jnydus.cache.device.BlobInfo}, {@link dev.jnydus.cache.device.ChunkInfo} and {@link
 * dev.jnydus.cache.device.BlobIoVec} describe data; {@link dev.jnydus.cache.device.BlobDevice}
 * reads and prefetches it; {@link dev.jnydus.cache.device.CacheFactory} builds a {@link
 * dev.jnydus.cache.device.CacheManager} from {@link dev.jnydus.cache.device.CacheOptions}. No FUSE,
 * fscache or RAFS type appears here: the cache module imports only {@code common}, {@code config}
 * and {@code backend}.
 */
package dev.jnydus.cache.device;
