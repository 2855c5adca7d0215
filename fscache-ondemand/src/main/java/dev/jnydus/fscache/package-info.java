/**
 * The fscache daemon (layer L4): serves RAFS v6 images to the kernel's EROFS through cachefiles
 * on-demand mode, as {@code nydusd singleton --fscache} does (spec {@code fscache-ondemand.md}
 * section 11). {@link dev.jnydus.fscache.BlobCacheEntries} is the registry of bound images
 * (upstream's blob cache manager: {@code PUT/DELETE /api/v2/blobs} and the singleton's
 * {@code --config}); {@link dev.jnydus.fscache.FsCacheService} runs the workers that answer OPEN,
 * READ and CLOSE, filling cache objects from the bootstrap file or, for data blobs, through the
 * cache module's {@link dev.jnydus.cache.device.ExternalBlobCache} (fetch, amplify, validate,
 * prefetch, written decompressed at uncompressed offsets); {@link dev.jnydus.fscache.FsCacheState}
 * is what a restarted daemon needs to carry on.
 *
 * <p>May import {@code common}, {@code config}, {@code cache.device}, {@code backend} (the
 * {@code BlobBackend} type the daemon injects), {@code rafs.metadata} (to list a bootstrap's
 * blobs) and {@code fscache.cachefiles}; never {@code dev.jnydus.sys} (the device and the
 * anonymous fds are behind {@link dev.jnydus.fscache.cachefiles.CachefilesChannel}).
 */
package dev.jnydus.fscache;
