package dev.jnydus.daemon;

import dev.jnydus.backend.BackendEnvironment;
import dev.jnydus.backend.BlobBackend;
import dev.jnydus.cache.device.BlobDevice;
import dev.jnydus.cache.device.BlobInfo;
import dev.jnydus.cache.device.CacheFactory;
import dev.jnydus.cache.device.CacheManager;
import dev.jnydus.cache.device.CacheOptions;
import dev.jnydus.cache.device.ChunkInfo;
import dev.jnydus.config.BackendConfig;
import dev.jnydus.config.CacheConfig;
import dev.jnydus.config.ConfigException;
import dev.jnydus.config.NydusConfig;
import dev.jnydus.config.PrefetchConfig;
import dev.jnydus.config.RafsConfig;
import dev.jnydus.daemon.cli.RafsMount;
import dev.jnydus.daemon.cli.StartupException;
import dev.jnydus.fscache.fanotify.IoThreads;
import dev.jnydus.rafs.fs.CacheBlobs;
import dev.jnydus.rafs.fs.RafsPrefetcher;
import dev.jnydus.rafs.metadata.ChunkRef;
import dev.jnydus.rafs.metadata.RafsFormatException;
import dev.jnydus.rafs.metadata.RafsSuper;
import dev.jnydus.rafs.metadata.RafsVersion;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The storage of an image served in fanotify mode: the bootstrap, the backend, the blob cache and
 * the device over the image's blobs, opened exactly as for a FUSE mount (so the chunk map,
 * validation, amplification, prefetch and backends are the same), minus the FUSE filesystem. The
 * device is opened here, before anything is marked: the cache's descriptors of its data files then
 * raise no events. Everything that can fail is checked before the mount.
 */
final class FanotifyInstance implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FanotifyInstance.class);

    private final RafsMount mount;
    private final PrefetchConfig prefetchConfig;
    private final RafsSuper sb;
    private final ScheduledExecutorService scheduler;
    private final BlobBackend backend;
    private final CacheManager cache;
    private final BlobDevice device;
    private final IoThreads ioThreads;
    private final Path workDir;
    private volatile Thread prefetch;

    private FanotifyInstance(RafsMount mount, PrefetchConfig prefetchConfig, RafsSuper sb,
                             ScheduledExecutorService scheduler, BlobBackend backend, CacheManager cache,
                             BlobDevice device, IoThreads ioThreads, Path workDir) {
        this.mount = mount;
        this.prefetchConfig = prefetchConfig;
        this.sb = sb;
        this.scheduler = scheduler;
        this.backend = backend;
        this.cache = cache;
        this.device = device;
        this.ioThreads = ioThreads;
        this.workDir = workDir;
    }

    static FanotifyInstance open(RafsMount mount) throws StartupException {
        NydusConfig config = mount.config();
        RafsConfig rafs;
        CacheConfig cacheConfig;
        BackendConfig backendConfig;
        try {
            rafs = config.rafsOrThrow();
            cacheConfig = config.cacheOrThrow();
            backendConfig = config.backendOrThrow();
        } catch (ConfigException e) {
            throw new StartupException(e.getMessage(), e);
        }
        if (cacheConfig.kind() != CacheConfig.Kind.FILE_CACHE) {
            throw new StartupException("--fs-driver fanotify needs cache type blobcache (the kernel reads its data "
                    + "files), not " + cacheConfig.type());
        }
        if (cacheConfig.compressed()) {
            throw new StartupException("--fs-driver fanotify needs an uncompressed blobcache (cache.compressed false): "
                    + "the kernel reads chunks at their uncompressed offsets");
        }
        if (rafs.validate()) {
            throw new StartupException("Rafs v6 doesn't support integrity validation yet");
        }
        RafsSuper sb = RafsInstance.openBootstrap(Path.of(mount.bootstrap()));
        ScheduledExecutorService scheduler = null;
        BlobBackend backend = null;
        CacheManager cache = null;
        BlobDevice device = null;
        try {
            if (sb.version() != RafsVersion.V6) {
                throw new StartupException("--fs-driver fanotify serves RAFS v6 images; " + mount.bootstrap() + " is "
                        + sb.version());
            }
            if (sb.blockSize() != 4096) {
                throw new StartupException("--fs-driver fanotify needs 4 KiB blocks; " + mount.bootstrap() + " has "
                        + sb.blockSize());
            }
            CacheOptions o = RafsInstance.cacheOptions(cacheConfig, rafs);
            // The kernel's page cache holds what readers read; a chunk cache in the heap would only
            // double it.
            CacheOptions options = new CacheOptions(o.type(), o.workDir(), o.compressed(), o.digestValidate(),
                    o.amplifyIo(), o.prefetch(), o.spaceLimitBytes(), 0);
            scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "backend-timer");
                t.setDaemon(true);
                return t;
            });
            backend = Backends.create(backendConfig, BackendEnvironment.system(scheduler));
            IoThreads ioThreads = new IoThreads();
            cache = CacheFactory.builder(options, backend).threadFactory(ioThreads.wrap(prefetchThreads())).build();
            device = cache.open(new CacheBlobs(sb).blobs());
            LOG.info("RAFS {} image {}: {} inodes, {} blobs, chunk size {}, cache {} in {}", sb.version(),
                    mount.bootstrap(), sb.inodeCount(), sb.blobs().size(), sb.chunkSize(), options.type().label(),
                    options.workDir());
            return new FanotifyInstance(mount, rafs.prefetch(), sb, scheduler, backend, cache, device, ioThreads,
                    options.workDir());
        } catch (StartupException | RuntimeException e) {
            closeAll(sb, scheduler, backend, cache, device);
            throw e;
        } catch (IOException e) {
            closeAll(sb, scheduler, backend, cache, device);
            throw new StartupException("failed to create the blob cache: " + e.getMessage(), e);
        }
    }

    private static ThreadFactory prefetchThreads() {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, "nydus-prefetch-" + n.getAndIncrement());
            t.setDaemon(true);
            t.setPriority(Thread.NORM_PRIORITY - 1);
            return t;
        };
    }

    BlobDevice device() {
        return device;
    }

    IoThreads ioThreads() {
        return ioThreads;
    }

    Path workDir() {
        return workDir;
    }

    RafsMount mount() {
        return mount;
    }

    /**
     * The chunks the bootstrap names, for each blob whose chunk table the cache has not got (its
     * chunk-info array could not be fetched): every chunk a file of this image can read.
     */
    Map<Integer, List<ChunkInfo>> chunksWithoutTable() throws StartupException {
        CacheBlobs blobs = new CacheBlobs(sb);
        Map<Integer, List<ChunkInfo>> out = new HashMap<>();
        for (BlobInfo b : device.blobs()) {
            if (b.chunkTable() != null) {
                continue;
            }
            List<ChunkInfo> named = new ArrayList<>();
            try {
                for (int i = 0; i < b.chunkCount(); i++) {
                    ChunkRef r = sb.chunkRecord(b.index(), i);
                    if (r != null) {
                        named.add(blobs.chunk(r));
                    }
                }
            } catch (RafsFormatException e) {
                throw new StartupException("failed to load bootstrap " + mount.bootstrap() + ": " + e.getMessage(), e);
            }
            LOG.info("blob {}: no chunk-info table; serving the {} chunks the bootstrap names", b.blobId(),
                    named.size());
            out.put(b.index(), named);
        }
        return out;
    }

    /** The mount-time prefetch, as for FUSE ({@code rafs.prefetch}), on a background thread. */
    void startPrefetch() {
        if (!prefetchConfig.enable()) {
            return;
        }
        Optional<List<String>> files = mount.prefetchFiles();
        boolean all = prefetchConfig.prefetchAll();
        Thread t = new Thread(() -> {
            int queued = new RafsPrefetcher(sb, device).run(files, all);
            try {
                if (device.awaitPrefetch(Duration.ofHours(24))) {
                    LOG.info("prefetch finished ({} requests)", queued);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "rafs-prefetch");
        t.setDaemon(true);
        prefetch = t;
        t.start();
    }

    @Override
    public void close() {
        Thread t = prefetch;
        if (t != null) {
            t.interrupt();
        }
        closeAll(sb, scheduler, backend, cache, device);
    }

    private static void closeAll(RafsSuper sb, ScheduledExecutorService scheduler, BlobBackend backend,
                                 CacheManager cache, BlobDevice device) {
        if (device != null) {
            device.close();
        }
        if (cache != null) {
            cache.close();
        }
        if (backend != null) {
            backend.close();
        }
        if (scheduler != null) {
            scheduler.shutdownNow();
        }
        try {
            sb.close();
        } catch (IOException e) {
            LOG.debug("closing the bootstrap: {}", e.toString());
        }
    }
}
