package dev.jnydus.daemon;

import dev.jnydus.backend.BackendEnvironment;
import dev.jnydus.backend.BlobBackend;
import dev.jnydus.backend.registry.RegistryBackend;
import dev.jnydus.cache.device.BlobDevice;
import dev.jnydus.cache.device.CacheFactory;
import dev.jnydus.cache.device.CacheManager;
import dev.jnydus.cache.device.CacheOptions;
import dev.jnydus.cache.device.CacheType;
import dev.jnydus.cache.device.PrefetchOptions;
import dev.jnydus.config.BackendConfig;
import dev.jnydus.config.CacheConfig;
import dev.jnydus.config.ConfigException;
import dev.jnydus.config.FileCacheConfig;
import dev.jnydus.config.NydusConfig;
import dev.jnydus.config.PrefetchConfig;
import dev.jnydus.config.RafsConfig;
import dev.jnydus.daemon.cli.RafsMount;
import dev.jnydus.daemon.cli.StartupException;
import dev.jnydus.rafs.fs.CacheBlobs;
import dev.jnydus.rafs.fs.RafsFileSystem;
import dev.jnydus.rafs.fs.RafsPrefetcher;
import dev.jnydus.rafs.fs.FsIoStats;
import dev.jnydus.rafs.fs.StatsFileSystem;
import dev.jnydus.common.Ticker;
import dev.jnydus.backend.BackendMetrics;
import dev.jnydus.cache.device.BlobcacheMetrics;
import java.time.Clock;
import dev.jnydus.rafs.metadata.RafsFormatException;
import dev.jnydus.rafs.metadata.RafsInode;
import dev.jnydus.rafs.metadata.RafsSuper;
import dev.jnydus.rafs.metadata.RafsVersion;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.function.UnaryOperator;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One mounted RAFS image with everything it owns: the opened bootstrap, the backend, the cache
 * manager and device, the threads that wait for the backend on behalf of readers whose data is
 * not cached, and the filesystem over them (upstream's {@code Rafs::new} plus
 * {@code import}). Opening checks everything that can be checked before the FUSE mount, so that a
 * bad bootstrap or an unusable configuration fails the startup with one line and nothing mounted.
 */
public final class RafsInstance implements MountedImage {
    private static final Logger LOG = LoggerFactory.getLogger(RafsInstance.class);
    /**
     * Reads waiting for the backend at once, per instance (each has its own backend): misses
     * wait on these threads instead of the FUSE workers, and beyond this many they queue.
     */
    static final int FETCH_THREADS = 8;

    private final RafsMount mount;
    private final PrefetchConfig prefetchConfig;
    private final RafsSuper sb;
    private final ScheduledExecutorService scheduler;
    private final ExecutorService fetches;
    private final BlobBackend backend;
    private final CacheManager cache;
    private final BlobDevice device;
    private final RafsFileSystem fs;
    private final StatsFileSystem recorded;
    private volatile Thread prefetch;

    private RafsInstance(RafsMount mount, PrefetchConfig prefetchConfig, RafsSuper sb,
                         ScheduledExecutorService scheduler, ExecutorService fetches, BlobBackend backend,
                         CacheManager cache, BlobDevice device, RafsFileSystem fs) {
        this.mount = mount;
        this.prefetchConfig = prefetchConfig;
        this.sb = sb;
        this.scheduler = scheduler;
        this.fetches = fetches;
        this.backend = backend;
        this.cache = cache;
        this.device = device;
        this.fs = fs;
        RafsConfig rafs = mount.config().rafs().orElseThrow();
        this.recorded = new StatsFileSystem(fs, new FsIoStats(mount.virtualMountpoint(), rafs.iostatsFiles(),
                rafs.accessPattern(), rafs.latestReadFiles(), Ticker.system(), Clock.systemUTC()));
    }

    /**
     * Opens the bootstrap, validates it and the configuration against it, and builds the storage
     * stack.
     *
     * @param uid owner reported when the image has no explicit uid/gid (the daemon's euid)
     * @param gid likewise (the daemon's egid)
     */
    public static RafsInstance open(RafsMount mount, int uid, int gid) throws StartupException {
        return open(mount, uid, gid, UnaryOperator.identity(), CacheFactory.prefetchThreads());
    }

    /**
     * As {@link #open(RafsMount, int, int)}, with the cache options adjusted by {@code tuneCache}
     * and the prefetch workers made by {@code prefetchThreads} (for the fanotify mode).
     */
    static RafsInstance open(RafsMount mount, int uid, int gid, UnaryOperator<CacheOptions> tuneCache,
                             ThreadFactory prefetchThreads) throws StartupException {
        return open(mount, uid, gid, tuneCache, prefetchThreads, null);
    }

    /** As {@link #open(RafsMount, int, int)}, taking the bootstrap from {@code preload} when it opened this one. */
    static RafsInstance open(RafsMount mount, int uid, int gid, BootstrapPreload preload) throws StartupException {
        return open(mount, uid, gid, UnaryOperator.identity(), CacheFactory.prefetchThreads(), preload);
    }

    private static RafsInstance open(RafsMount mount, int uid, int gid, UnaryOperator<CacheOptions> tuneCache,
                                     ThreadFactory prefetchThreads, BootstrapPreload preload) throws StartupException {
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
        Path bootstrap = Path.of(mount.bootstrap());
        OpenedBootstrap opened = preload == null ? null : preload.take(bootstrap);
        if (opened == null) {
            opened = openChecked(bootstrap);
        }
        RafsSuper sb = opened.sb();
        BootstrapValidation validation = opened.validation();
        ScheduledExecutorService scheduler = null;
        ExecutorService fetches = null;
        BlobBackend backend = null;
        CacheManager cache = null;
        BlobDevice device = null;
        try {
            if (sb.version() == RafsVersion.V6) {
                if (cacheConfig.kind() != CacheConfig.Kind.FILE_CACHE) {
                    throw new StartupException("Rafs v6 must have local blobcache configured");
                }
                if (rafs.validate()) {
                    throw new StartupException("Rafs v6 doesn't support integrity validation yet");
                }
            }
            CacheOptions options = tuneCache.apply(cacheOptions(cacheConfig, rafs));
            scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "backend-timer");
                t.setDaemon(true);
                return t;
            });
            backend = Backends.create(backendConfig, BackendEnvironment.system(scheduler));
            cache = CacheFactory.builder(options, backend).threadFactory(prefetchThreads).build();
            if (!sb.blobs().isEmpty()) {
                device = cache.open(new CacheBlobs(sb).blobs());
            }
            fetches = fetchPool();
            boolean xattrFree = validation.await().xattrFree();
            RafsFileSystem fs = RafsFileSystem.builder(sb)
                    .device(device)
                    .fetchExecutor(fetches)
                    .enableXattr(rafs.enableXattr())
                    .xattrFree(xattrFree)
                    .owner(uid, gid)
                    .build();
            ResidentMetadata.release(sb);
            LOG.info("RAFS {} image {}: {} inodes, {} blobs, chunk size {}, cache {}", sb.version(), mount.bootstrap(),
                    sb.inodeCount(), sb.blobs().size(), sb.chunkSize(), options.type().label());
            return new RafsInstance(mount, rafs.prefetch(), sb, scheduler, fetches, backend, cache, device, fs);
        } catch (StartupException | RuntimeException | Error e) {
            validation.cancel();
            closeAll(sb, scheduler, fetches, backend, cache, device);
            if (e instanceof IllegalArgumentException) {
                // The cache's records refuse what the bootstrap or the configuration got wrong.
                throw new StartupException("failed to create the blob cache: " + e.getMessage(), e);
            }
            throw e;
        } catch (IOException e) {
            validation.cancel();
            closeAll(sb, scheduler, fetches, backend, cache, device);
            throw new StartupException("failed to create the blob cache: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            validation.cancel();
            closeAll(sb, scheduler, fetches, backend, cache, device);
            Thread.currentThread().interrupt();
            throw new StartupException("interrupted while checking bootstrap " + bootstrap, e);
        }
    }

    /** The cache settings of a mount's configuration (its rafs and cache sections). */
    static CacheOptions cacheOptions(NydusConfig config) throws StartupException {
        try {
            return cacheOptions(config.cacheOrThrow(), config.rafsOrThrow());
        } catch (ConfigException e) {
            throw new StartupException(e.getMessage(), e);
        }
    }

    /** How long closing waits for the fetches running, so that what they bring is stored. */
    static final Duration FETCH_DRAIN = Duration.ofSeconds(10);

    /** {@link #FETCH_THREADS} daemon threads, started on demand and ended when idle; an unbounded queue. */
    private static ExecutorService fetchPool() {
        AtomicInteger n = new AtomicInteger();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(FETCH_THREADS, FETCH_THREADS, 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, "rafs-fetch-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }

    /** A bootstrap opened, its chunk maps' size checked and its whole-image check started. */
    record OpenedBootstrap(RafsSuper sb, BootstrapValidation validation) {
        /** Stops the check and closes the bootstrap (one that was never used). */
        void discard() {
            validation.cancel();
            closeQuietly(sb);
        }
    }

    /** Opens {@code bootstrap} ({@link #openBootstrap}), checks its chunk maps' size, starts its whole-image check. */
    static OpenedBootstrap openChecked(Path bootstrap) throws StartupException {
        RafsSuper sb = openBootstrap(bootstrap);
        try {
            StartupLimits.checkChunkMaps(sb.blobs(), Runtime.getRuntime().maxMemory());
        } catch (StartupException e) {
            closeQuietly(sb);
            throw new StartupException("failed to load bootstrap " + bootstrap + ": " + e.getMessage(), e);
        }
        return new OpenedBootstrap(sb, BootstrapValidation.start(sb, bootstrap));
    }

    /** Opens and checks a bootstrap: superblock and tables, the root inode and its directory. */
    static RafsSuper openBootstrap(Path bootstrap) throws StartupException {
        RafsSuper sb;
        try {
            sb = RafsSuper.open(bootstrap);
        } catch (NoSuchFileException e) {
            throw new StartupException("failed to load bootstrap " + bootstrap + ": no such file", e);
        } catch (IOException e) {
            throw new StartupException("failed to load bootstrap " + bootstrap + ": " + e.getMessage(), e);
        }
        try {
            RafsInode root = sb.inode(sb.rootIno());
            if (!root.isDir()) {
                throw new RafsFormatException("root inode " + sb.rootIno() + " is not a directory");
            }
            sb.readdir(root, 0, (name, ino, type, next) -> {
                sb.inode(ino);
                return true;
            });
        } catch (RafsFormatException e) {
            closeQuietly(sb);
            throw new StartupException("failed to load bootstrap " + bootstrap + ": " + e.getMessage(), e);
        }
        return sb;
    }

    /** The cache settings of upstream's configuration, in the cache module's terms. */
    static CacheOptions cacheOptions(CacheConfig c, RafsConfig rafs) throws StartupException {
        CacheType type;
        switch (c.kind()) {
            case FILE_CACHE:
                type = CacheType.BLOBCACHE;
                break;
            case FS_CACHE:
                throw new StartupException("cache type fscache is not usable for a FUSE mount; use blobcache");
            default:
                type = CacheType.DUMMYCACHE;
        }
        CacheOptions.Builder b = CacheOptions.builder(type)
                .compressed(c.compressed())
                .digestValidate(c.validate())
                .amplifyIo(rafs.batchSize());
        if (type.isFileBacked()) {
            FileCacheConfig f = c.fileCache().orElseThrow(() -> new StartupException(
                    "invalid configuration: cache.filecache: required for cache type " + c.type()));
            if (f.enableEncryption()) {
                throw new StartupException("blob cache encryption is not supported yet");
            }
            b.workDir(Path.of(f.workDir())).spaceLimitBytes(f.spaceLimit());
        }
        PrefetchConfig p = c.prefetch().enable() ? c.prefetch() : rafs.prefetch();
        if (p.enable()) {
            long threads = p.threads() > 0 ? p.threads() : PrefetchConfig.DEFAULT_THREADS;
            long batch = p.batchSize() > 0 ? p.batchSize() : PrefetchConfig.DEFAULT_BATCH_SIZE;
            b.prefetch(PrefetchOptions.enabled((int) threads, batch, p.bandwidthLimit(), p.prefetchAll()));
        }
        try {
            return b.build();
        } catch (IllegalArgumentException e) {
            throw new StartupException("invalid configuration: " + e.getMessage(), e);
        }
    }

    public RafsFileSystem fileSystem() {
        return fs;
    }

    public RafsMount mount() {
        return mount;
    }

    /** The device over the image's blobs; {@code null} for an image without blobs. */
    BlobDevice device() {
        return device;
    }

    @Override
    public Optional<RafsInstance> rafs() {
        return Optional.of(this);
    }

    @Override
    public MountKind kind() {
        return MountKind.RAFS_FUSE;
    }

    @Override
    public Optional<NydusConfig> config() {
        return Optional.of(mount.config());
    }

    /** The filesystem statistics of this mount ({@code GET /api/v1/metrics} and the like). */
    public FsIoStats stats() {
        return recorded.stats();
    }

    /** The backend's read counters, when the backend keeps them. */
    public Optional<BackendMetrics> backendMetrics() {
        return backend.metrics();
    }

    /**
     * Applies a hot {@code registry_auth} value (spec 2.7: base64 {@code user:password}, empty
     * clears) to this image's backend when it is a registry.
     *
     * @return whether the backend is a registry and took the value
     */
    public boolean updateRegistryAuth(String base64UserPassword) {
        if (backend instanceof RegistryBackend r) {
            r.updateAuth(base64UserPassword);
            return true;
        }
        return false;
    }

    /** Bytes the blob cache holds. */
    public long cacheUsedBytes() {
        return cache.usage().totalBytes();
    }

    /** The configuration id its blob cache metrics are registered under (v1 {@code device.id}). */
    public String configId() {
        return mount.config().id();
    }

    /** The blob cache's counters. */
    public BlobcacheMetrics cacheMetrics() {
        return cache.metrics();
    }

    /** The opened bootstrap, for {@code GET /api/v1/daemon/backend}. */
    public RafsSuper superblock() {
        return sb;
    }

    @Override
    public Optional<FuseBackend> fuseBackend() {
        return Optional.of(new FuseBackend(recorded, fs.rootIno()));
    }

    @Override
    public void started() {
        startPrefetch();
    }

    /**
     * Starts the mount-time prefetch on a background thread when {@code rafs.prefetch.enable} is
     * set (upstream {@code Rafs::import}); the hint list is the {@code --prefetch-files} content.
     */
    public void startPrefetch() {
        if (!prefetchConfig.enable() || device == null) {
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
        closeAll(sb, scheduler, fetches, backend, cache, device);
    }

    private static void closeAll(RafsSuper sb, ScheduledExecutorService scheduler, ExecutorService fetches,
                                 BlobBackend backend, CacheManager cache, BlobDevice device) {
        if (fetches != null) {
            // No interrupts: a fetch interrupted mid-I/O could close the cache file under other
            // readers. Running fetches end with their backend request and store what it brought
            // before the cache closes (a successor taking over must not fetch it again); queued
            // ones still run, fail at once on the closed device, and answer their readers with EIO.
            fetches.shutdown();
            try {
                if (!fetches.awaitTermination(FETCH_DRAIN.toMillis(), TimeUnit.MILLISECONDS)) {
                    LOG.warn("fetches still running {} ms after close; closing the cache under them",
                            FETCH_DRAIN.toMillis());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
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
        closeQuietly(sb);
    }

    private static void closeQuietly(RafsSuper sb) {
        try {
            sb.close();
        } catch (IOException e) {
            LOG.debug("closing the bootstrap: {}", e.toString());
        }
    }
}
