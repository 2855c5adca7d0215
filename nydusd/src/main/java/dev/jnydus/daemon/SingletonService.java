package dev.jnydus.daemon;

import dev.jnydus.common.FsException;
import dev.jnydus.config.BlobCacheEntry;
import dev.jnydus.fscache.BlobCacheEntries;
import dev.jnydus.fscache.BlobCacheException;
import dev.jnydus.fscache.FsCacheService;
import dev.jnydus.fscache.FsCacheState;
import dev.jnydus.fscache.FsCacheStats;
import dev.jnydus.fscache.cachefiles.CacheCuller;
import dev.jnydus.fscache.cachefiles.CachefilesSetupException;
import dev.jnydus.fscache.cachefiles.DevCachefiles;
import dev.jnydus.sys.Fd;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * nydusd's singleton service ({@code nydusd singleton}, upstream's {@code ServiceController}): the
 * blob cache entries ({@link BlobCacheEntries}, bound through {@code PUT /api/v2/blobs} and
 * {@code --config}) and, with {@code --fscache DIR}, the fscache service that serves them to the
 * kernel through {@code /dev/cachefiles}. It carries out the state machine's actions: the device
 * is bound (or taken over) before READY, the workers start at RUNNING, and stopping from READY
 * closes the device.
 *
 * <p>Hand-over to a successor: {@link #handoff()} gives the saved state and a duplicate of the
 * device; {@link #restoreFrom} takes both back in a new daemon. Until the API's
 * {@code fuse/sendfd} serves them, a daemon with {@code --supervisor} pushes the hand-over to the
 * supervisor by itself once serving and after every bind or unbind ({@link #saveToSupervisor()}),
 * and a daemon started while the device is busy takes over through {@link #restore()}.
 */
public final class SingletonService implements DaemonStateMachine.Actions, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SingletonService.class);

    /**
     * What {@code nydusd singleton} was told about fscache.
     *
     * @param dir {@code --fscache}, or empty without fscache
     * @param tag {@code --fscache-tag}
     * @param threads {@code --fscache-threads}
     */
    public record FsCacheOptions(Optional<Path> dir, Optional<String> tag, int threads) {
        public FsCacheOptions {
            Objects.requireNonNull(dir, "dir");
            Objects.requireNonNull(tag, "tag");
        }
    }

    /**
     * What a successor needs: the state ({@link FsCacheState} bytes) and a duplicate of the
     * {@code /dev/cachefiles} descriptor, which the receiver owns.
     */
    public record Handoff(byte[] state, Fd device) {
        public Handoff {
            Objects.requireNonNull(state, "state");
            Objects.requireNonNull(device, "device");
        }
    }

    private final FsCacheOptions options;
    private final Optional<Path> supervisor;
    private final SingletonBackends backends;
    private final BlobCacheEntries entries;
    private final Consumer<String> onServiceEnd;
    private volatile DevCachefiles device;
    private volatile FsCacheService fscache;
    private volatile Path fscacheDir;
    private volatile Optional<String> fscacheTag;
    private volatile int fscacheThreads;

    /**
     * @param supervisor {@code --supervisor}: where the hand-over goes and comes from
     * @param onServiceEnd told (with a reason) when the fscache workers end without being asked:
     *     the device failed
     */
    public SingletonService(FsCacheOptions options, Optional<Path> supervisor, Consumer<String> onServiceEnd) {
        this(options, supervisor, new SingletonBackends(), onServiceEnd);
    }

    SingletonService(FsCacheOptions options, Optional<Path> supervisor, SingletonBackends backends,
                     Consumer<String> onServiceEnd) {
        this.options = Objects.requireNonNull(options, "options");
        this.supervisor = Objects.requireNonNull(supervisor, "supervisor");
        this.backends = backends;
        this.entries = new BlobCacheEntries(backends);
        this.onServiceEnd = Objects.requireNonNull(onServiceEnd, "onServiceEnd");
        this.fscacheDir = options.dir().orElse(null);
        this.fscacheTag = options.tag();
        this.fscacheThreads = options.threads();
    }

    public boolean hasFscache() {
        return options.dir().isPresent();
    }

    public Optional<Path> supervisor() {
        return supervisor;
    }

    /**
     * Opens {@code /dev/cachefiles} and binds a new on-demand cache in {@code --fscache DIR} (before
     * the Mount event).
     *
     * @throws CachefilesSetupException naming what is missing; {@code EBUSY} when another process
     *     holds the device
     */
    public synchronized void bindDevice() throws CachefilesSetupException {
        if (device != null) {
            throw new IllegalStateException("the fscache device is bound already");
        }
        Path dir = options.dir().orElseThrow(() -> new IllegalStateException("no --fscache directory"));
        adopt(DevCachefiles.bind(DevCachefiles.DEVICE, dir, options.tag()));
    }

    private void adopt(DevCachefiles dev) {
        device = dev;
        fscache = FsCacheService.create(dev, entries, fscacheThreads);
    }

    /**
     * Binds an entry unless one with its key is bound ({@code --config}'s {@code blobs}; after a
     * takeover the saved ones are bound already).
     */
    public void addIfAbsent(BlobCacheEntry e) throws BlobCacheException {
        if (!entries.contains(e.domainId(), e.blobId())) {
            entries.add(e);
        }
    }

    // ------------------------------------------------------------------ the API's blob cache requests

    /** {@code PUT /api/v2/blobs}. */
    public void add(BlobCacheEntry entry) throws DaemonException {
        try {
            entries.add(entry);
        } catch (BlobCacheException e) {
            throw DaemonException.other(e.getMessage(), e);
        }
        saveIfSupervised();
    }

    /** {@code DELETE /api/v2/blobs?domain_id=D[&blob_id=B]}. */
    public void remove(String domainId, String blobId) throws DaemonException {
        try {
            entries.remove(domainId, blobId);
        } catch (BlobCacheException e) {
            throw DaemonException.other(e.getMessage(), e);
        }
        saveIfSupervised();
    }

    /**
     * {@code DELETE /api/v2/blobs?blob_id=B}: culls the blob's cache files in every EROFS volume
     * (upstream's {@code cull_cache}): none is fine; one a mount still uses fails the request.
     */
    public void cull(String blobId) throws DaemonException {
        DevCachefiles dev = device;
        if (dev == null || fscacheDir == null) {
            throw DaemonException.unsupported("no fscache service to cull blob files from (singleton without --fscache)");
        }
        CacheCuller.Result r;
        try {
            r = CacheCuller.cull(dev, fscacheDir, blobId);
        } catch (IOException e) {
            throw DaemonException.other("failed to cull blob objects from fscache: " + blobId + ": " + e.getMessage(), e);
        }
        if (!r.inUse().isEmpty()) {
            throw DaemonException.other("failed to cull blob objects from fscache: " + blobId + " is in use: "
                    + r.inUse());
        }
        LOG.info("fscache: culled blob {}: {}", blobId, r.culled().isEmpty() ? "no cache file" : r.culled());
    }

    /** The bound entries. */
    public List<BlobCacheEntry> entries() {
        return entries.entries();
    }

    /** The counters of each bound image. */
    public List<BlobCacheEntries.EntryMetrics> entryMetrics() {
        return entries.metrics();
    }

    /** The fscache request counters, without fscache empty. */
    public Optional<FsCacheStats> fscacheStats() {
        FsCacheService s = fscache;
        return s == null ? Optional.empty() : Optional.of(s.stats());
    }

    /** Why the fscache workers stopped on their own (the device failed), or null. */
    public Throwable failure() {
        FsCacheService s = fscache;
        return s == null ? null : s.failure();
    }

    // ------------------------------------------------------------------ hand-over

    /**
     * The state a successor needs and a duplicate of the device, which the caller owns (and closes
     * once sent).
     *
     * @throws DaemonException NOT_READY when there is no fscache device to hand over
     */
    public Handoff handoff() throws DaemonException {
        DevCachefiles dev = device;
        if (dev == null) {
            throw new DaemonException(DaemonException.Kind.NOT_READY, "no fscache device to hand over");
        }
        FsCacheState state = new FsCacheState(fscacheDir.toString(), fscacheTag, fscacheThreads, entries.entries());
        try {
            return new Handoff(state.toBytes(), dev.duplicate());
        } catch (FsException e) {
            throw new DaemonException(DaemonException.Kind.UPGRADE_MANAGER,
                    "failed to duplicate the fscache device: " + e.getMessage(), e);
        }
    }

    /**
     * Takes over from a predecessor: binds the entries of its {@code state} and adopts
     * {@code device}, writing {@code restore} so that the requests it took and did not answer come
     * again. Takes ownership of {@code device}, also on failure.
     */
    public synchronized void restoreFrom(byte[] state, Fd device) throws DaemonException {
        if (this.device != null) {
            device.close();
            throw new DaemonException(DaemonException.Kind.UPGRADE_MANAGER, "the fscache device is bound already");
        }
        FsCacheState s;
        try {
            s = FsCacheState.parse(state);
            for (BlobCacheEntry e : s.blobs()) {
                addIfAbsent(e);
            }
        } catch (IOException e) {
            device.close();
            throw new DaemonException(DaemonException.Kind.UPGRADE_MANAGER, "failed to restore: " + e.getMessage(), e);
        } catch (BlobCacheException e) {
            device.close();
            throw new DaemonException(DaemonException.Kind.UPGRADE_MANAGER,
                    "failed to restore blob cache entry: " + e.getMessage(), e);
        }
        DevCachefiles dev;
        try {
            dev = DevCachefiles.restore(device);
        } catch (CachefilesSetupException e) {
            throw new DaemonException(DaemonException.Kind.UPGRADE_MANAGER,
                    "failed to take over the fscache device: " + e.getMessage(), e);
        }
        fscacheDir = Path.of(s.fscacheDir());
        fscacheTag = s.tag();
        fscacheThreads = s.threads();
        adopt(dev);
        LOG.info("took over the fscache device from the supervisor: {} blob cache entries restored", s.blobs().size());
    }

    /** Sends {@link #handoff()} to the supervisor; a supervisor not listening is not an error. */
    public void saveToSupervisor() {
        Path sup = supervisor.orElse(null);
        if (sup == null || device == null) {
            return;
        }
        try {
            Handoff h = handoff();
            try (Fd dup = h.device()) {
                SupervisorLink.save(sup, h.state(), dup);
            }
            LOG.info("saved the fscache state and device with supervisor {}", sup);
        } catch (IOException | DaemonException e) {
            LOG.info("could not save the fscache state with supervisor {}: {}", sup, e.getMessage());
        }
    }

    private void saveIfSupervised() {
        if (fscache != null && fscache.isServing()) {
            saveToSupervisor();
        }
    }

    // ------------------------------------------------------------------ state machine actions

    /** Takeover: the hand-over the supervisor keeps for this daemon. */
    @Override
    public void restore() throws DaemonException {
        Path sup = supervisor.orElseThrow(() -> new DaemonException(DaemonException.Kind.UPGRADE_MANAGER,
                "failed to upgrade nydusd daemon, missing supervisor path"));
        SupervisorLink.Received r;
        try {
            r = SupervisorLink.restore(sup);
        } catch (IOException e) {
            throw new DaemonException(DaemonException.Kind.UPGRADE_MANAGER,
                    "the supervisor " + sup + " has no state to take over: " + e.getMessage(), e);
        }
        List<Fd> extra = new ArrayList<>(r.fds().subList(1, r.fds().size()));
        for (Fd fd : extra) {
            fd.close();
        }
        restoreFrom(r.state(), r.fds().get(0));
    }

    @Override
    public void startService() {
        FsCacheService s = fscache;
        if (s == null) {
            return;
        }
        s.startWorkers();
        Thread watch = new Thread(() -> {
            try {
                s.awaitTermination();
            } catch (InterruptedException e) {
                return;
            }
            if (s.failure() != null) {
                onServiceEnd.accept("the fscache device failed: " + s.failure().getMessage());
            }
        }, "fscache-watch");
        watch.setDaemon(true);
        watch.start();
    }

    @Override
    public void terminateService() {
        FsCacheService s = fscache;
        if (s != null) {
            s.stopWorkers();
        }
    }

    @Override
    public void umount() {
        FsCacheService s = fscache;
        if (s != null) {
            s.close();
        }
    }

    /** Closes the fscache service and device (if the state machine did not) and unbinds every entry. */
    @Override
    public void close() {
        umount();
        entries.close();
        backends.close();
    }
}
