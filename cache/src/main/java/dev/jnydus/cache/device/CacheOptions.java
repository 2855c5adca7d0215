package dev.jnydus.cache.device;

import java.nio.file.Path;

/**
 * What the cache needs to know, independent of the config file format; the daemon maps its
 * configuration onto it.
 *
 * @param type the driver
 * @param workDir where cache files live (blobcache/filecache); may be {@code null} for dummycache
 * @param compressed store chunks as fetched ({@code .blob.raw}, at compressed offsets) instead of
 *     decompressed ({@code .blob.data})
 * @param digestValidate verify every chunk against its digest before it is served or stored
 *     ({@code cache.validate}); chunks carrying a CRC32 are always checked
 * @param amplifyIo on a miss, fetch following chunks of the blob in the same request up to this
 *     many compressed bytes ({@code amplify_io}); 0 means one request per chunk
 * @param prefetch prefetch settings
 * @param spaceLimitBytes evict whole unused blobs once the cache holds more than this; 0 = no limit
 * @param memoryCacheBytes bound of the in-memory cache of recently used uncompressed chunks; 0 = none
 */
public record CacheOptions(
        CacheType type,
        Path workDir,
        boolean compressed,
        boolean digestValidate,
        long amplifyIo,
        PrefetchOptions prefetch,
        long spaceLimitBytes,
        long memoryCacheBytes) {

    public static final long DEFAULT_AMPLIFY_IO = 1 << 20;
    public static final long DEFAULT_MEMORY_CACHE_BYTES = 64L << 20;

    public CacheOptions {
        if (type == null) {
            throw new IllegalArgumentException("cache type is required");
        }
        if (type.isFileBacked() && workDir == null) {
            throw new IllegalArgumentException("cache type " + type.label() + " needs a work_dir");
        }
        if (amplifyIo < 0 || amplifyIo > (1L << 30)) {
            throw new IllegalArgumentException("amplify_io " + amplifyIo + " is outside 0..1 GiB");
        }
        if (spaceLimitBytes < 0) {
            throw new IllegalArgumentException("cache space limit " + spaceLimitBytes + " is negative");
        }
        if (memoryCacheBytes < 0) {
            throw new IllegalArgumentException("memory cache size " + memoryCacheBytes + " is negative");
        }
        if (prefetch == null) {
            prefetch = PrefetchOptions.disabled();
        }
    }

    /**
     * Whether the in-memory chunk cache is used at all: not over an uncompressed cache file, whose
     * chunks are read in slices straight from the file (the kernel's page cache keeps what is read
     * often), only for dummycache and a cache file of compressed chunks, whose chunks would be
     * fetched or decompressed again on every read.
     */
    public boolean usesMemoryCache() {
        return memoryCacheBytes > 0 && !(type.isFileBacked() && !compressed);
    }

    public static Builder builder(CacheType type) {
        return new Builder(type);
    }

    public static final class Builder {
        private final CacheType type;
        private Path workDir;
        private boolean compressed;
        private boolean digestValidate;
        private long amplifyIo = DEFAULT_AMPLIFY_IO;
        private PrefetchOptions prefetch = PrefetchOptions.disabled();
        private long spaceLimitBytes;
        private long memoryCacheBytes = DEFAULT_MEMORY_CACHE_BYTES;

        private Builder(CacheType type) {
            this.type = type;
        }

        public Builder workDir(Path v) {
            workDir = v;
            return this;
        }

        public Builder compressed(boolean v) {
            compressed = v;
            return this;
        }

        public Builder digestValidate(boolean v) {
            digestValidate = v;
            return this;
        }

        public Builder amplifyIo(long v) {
            amplifyIo = v;
            return this;
        }

        public Builder prefetch(PrefetchOptions v) {
            prefetch = v;
            return this;
        }

        public Builder spaceLimitBytes(long v) {
            spaceLimitBytes = v;
            return this;
        }

        public Builder memoryCacheBytes(long v) {
            memoryCacheBytes = v;
            return this;
        }

        public CacheOptions build() {
            return new CacheOptions(type, workDir, compressed, digestValidate, amplifyIo, prefetch, spaceLimitBytes,
                    memoryCacheBytes);
        }
    }
}
