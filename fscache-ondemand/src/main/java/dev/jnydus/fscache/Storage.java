package dev.jnydus.fscache;

import dev.jnydus.backend.BlobBackend;
import dev.jnydus.cache.device.CacheFactory;
import dev.jnydus.cache.device.CacheManager;
import dev.jnydus.cache.device.CacheOptions;
import dev.jnydus.cache.device.CacheType;
import dev.jnydus.cache.device.PrefetchOptions;
import dev.jnydus.config.BlobCacheConfig;
import dev.jnydus.config.CacheConfig;
import dev.jnydus.config.PrefetchConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The backend and cache manager of one bound image, shared by its data blobs (also when another
 * image of the domain uses them) and by their open cache objects; closed when the last of them lets
 * go. The cache keeps only {@code .blob.meta} files in the entry's work_dir: chunk data goes to
 * the kernel's cache files.
 */
final class Storage {
    private static final Logger LOG = LoggerFactory.getLogger(Storage.class);

    private final String name;
    private final BlobBackend backend;
    private final CacheManager cache;
    private int refs = 1;

    private Storage(String name, BlobBackend backend, CacheManager cache) {
        this.name = name;
        this.backend = backend;
        this.cache = cache;
    }

    /** Creates the storage of an entry; the caller holds the first reference. */
    static Storage create(String name, BlobCacheConfig config, BackendProvider backends) throws BlobCacheException {
        CacheOptions options = options(config);
        BlobBackend backend;
        try {
            backend = backends.create(config);
        } catch (IOException | RuntimeException e) {
            throw new BlobCacheException(BlobCacheException.Kind.FAILED, "blob_cache: " + name
                    + ": cannot create the " + config.backend().type() + " backend: " + e.getMessage(), e);
        }
        try {
            return new Storage(name, backend, CacheFactory.builder(options, backend).build());
        } catch (IOException | RuntimeException e) {
            backend.close();
            throw new BlobCacheException(BlobCacheException.Kind.FAILED, "blob_cache: " + name
                    + ": cannot create the cache in " + options.workDir() + ": " + e.getMessage(), e);
        }
    }

    /**
     * The cache settings of an entry: its {@code fscache} (or {@code filecache}) work_dir, which
     * must exist, digest validation, prefetch; no memory cache (the kernel's page cache does that).
     */
    static CacheOptions options(BlobCacheConfig config) throws BlobCacheException {
        CacheConfig c = config.cache();
        if (c.kind() != CacheConfig.Kind.FS_CACHE && c.kind() != CacheConfig.Kind.FILE_CACHE) {
            throw new BlobCacheException(BlobCacheException.Kind.INVALID, "blob_cache: cache type '" + c.type()
                    + "' is not usable here; use fscache");
        }
        if (c.compressed()) {
            throw new BlobCacheException(BlobCacheException.Kind.INVALID,
                    "blob_cache: fscache mode stores uncompressed data; cache.compressed must be false");
        }
        String dir = c.workDir().orElseThrow(() -> new BlobCacheException(BlobCacheException.Kind.INVALID,
                "blob_cache: cache." + (c.kind() == CacheConfig.Kind.FS_CACHE ? "fscache" : "filecache")
                        + ".work_dir is required"));
        Path workDir = Path.of(dir);
        if (!Files.isDirectory(workDir)) {
            throw new BlobCacheException(BlobCacheException.Kind.FAILED, "blob_cache: cache work_dir " + dir
                    + " does not exist or is not a directory");
        }
        CacheOptions.Builder b = CacheOptions.builder(CacheType.FSCACHE)
                .workDir(workDir)
                .digestValidate(c.validate())
                .memoryCacheBytes(0);
        PrefetchConfig p = c.prefetch();
        if (p.enable()) {
            long threads = p.threads() > 0 ? p.threads() : PrefetchConfig.DEFAULT_THREADS;
            long batch = p.batchSize() > 0 ? p.batchSize() : PrefetchConfig.DEFAULT_BATCH_SIZE;
            // Upstream prefetches fscache blobs in batches of at least 256 KiB.
            b.prefetch(PrefetchOptions.enabled((int) Math.min(threads, 1024), Math.max(batch, 256 << 10),
                    p.bandwidthLimit(), true));
        }
        try {
            return b.build();
        } catch (IllegalArgumentException e) {
            throw new BlobCacheException(BlobCacheException.Kind.INVALID, "blob_cache: " + e.getMessage(), e);
        }
    }

    String name() {
        return name;
    }

    CacheManager cache() {
        return cache;
    }

    BlobBackend backend() {
        return backend;
    }

    boolean prefetchEnabled() {
        return cache.options().prefetch().enable();
    }

    synchronized Storage retain() {
        if (refs == 0) {
            throw new IllegalStateException("storage " + name + " is closed");
        }
        refs++;
        return this;
    }

    void release() {
        synchronized (this) {
            if (--refs > 0) {
                return;
            }
        }
        LOG.debug("blob_cache: closing the storage of {}", name);
        cache.close();
        backend.close();
    }
}
