package dev.jnydus.daemon;

import dev.jnydus.common.Errno;
import dev.jnydus.config.BlobCacheEntry;
import dev.jnydus.daemon.cli.DaemonArgs;
import dev.jnydus.daemon.cli.Service;
import dev.jnydus.daemon.cli.SingletonOptions;
import dev.jnydus.daemon.cli.StartupException;
import dev.jnydus.daemon.cli.StartupPlan;
import dev.jnydus.fscache.BlobCacheEntries;
import dev.jnydus.fscache.BlobCacheException;
import dev.jnydus.fscache.FsCacheService;
import dev.jnydus.fscache.FsCacheState;
import dev.jnydus.fscache.cachefiles.CachefilesSetupException;
import dev.jnydus.fscache.cachefiles.DevCachefiles;
import dev.jnydus.sys.Fd;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * Runs {@code nydusd singleton}: the blob cache entries of {@code --config} (spec 2.6) and, with
 * {@code --fscache DIR}, the fscache service on {@code /dev/cachefiles} (dir, optional tag,
 * {@code bind ondemand}); then serves until SIGTERM or SIGINT, or until the device fails.
 *
 * <p>Start-up fails with one line naming what is missing: no cachefiles in the kernel, no
 * on-demand mode, a busy device, an unusable cache directory, or an entry that cannot be bound.
 *
 * <p>Failover, with {@code --supervisor}: once serving, the daemon saves its state (cache
 * directory, tag, threads, bound entries) and a duplicate of the device fd with the supervisor,
 * which keeps the kernel's cache alive if the daemon dies. A daemon started while the device is
 * busy takes both back from the supervisor, re-binds the saved entries and writes
 * {@code restore}: requests its predecessor took and did not answer are delivered again, objects
 * whose fds died are reopened by the kernel, and blocked readers carry on. (Upstream saves only on
 * {@code PUT /api/v1/daemon/fuse/sendfd} and restores on {@code .../takeover}; until this daemon
 * serves that API it saves at start and takes over by itself.)
 */
final class SingletonDaemon {
    private static final Logger LOG = LoggerFactory.getLogger(SingletonDaemon.class);

    private SingletonDaemon() {
    }

    static void run(StartupPlan plan, Service.Singleton singleton) throws Exception {
        DaemonArgs args = plan.args();
        if (args.global().upgrade()) {
            throw new StartupException("--upgrade (waiting for a takeover) is not supported yet");
        }
        args.global().apiSock().ifPresent(s -> LOG.warn("--apisock {}: the HTTP API is not served yet", s));
        Optional<Path> supervisor = args.global().supervisor().map(Path::of);
        SingletonOptions o = singleton.options();
        try (SingletonBackends backends = new SingletonBackends();
             BlobCacheEntries entries = new BlobCacheEntries(backends)) {
            FsCacheService fscache = null;
            DevCachefiles dev = null;
            if (o.fscacheDir().isPresent()) {
                try {
                    dev = DevCachefiles.bind(DevCachefiles.DEVICE, Path.of(o.fscacheDir().get()), o.fscacheTag());
                } catch (CachefilesSetupException e) {
                    if (e.errno() != Errno.EBUSY || supervisor.isEmpty()) {
                        throw new StartupException(e.getMessage(), e);
                    }
                    dev = takeOver(supervisor.get(), entries, e);
                }
            }
            try {
                add(entries, plan.singletonBlobs());
            } catch (StartupException | RuntimeException e) {
                if (dev != null) {
                    dev.close();
                }
                throw e;
            }
            if (dev != null) {
                fscache = FsCacheService.start(dev, entries, o.fscacheThreads());
                if (supervisor.isPresent()) {
                    save(supervisor.get(), dev, new FsCacheState(o.fscacheDir().get(), o.fscacheTag(),
                            o.fscacheThreads(), entries.entries()));
                }
            }
            try {
                serve(fscache, entries);
            } finally {
                if (fscache != null) {
                    fscache.close();
                }
            }
            if (fscache != null && fscache.failure() != null) {
                throw new StartupException("the fscache service stopped: " + fscache.failure().getMessage(),
                        fscache.failure());
            }
        }
    }

    /** Adds the entries not bound yet (after a takeover, the saved ones are). */
    private static void add(BlobCacheEntries entries, List<BlobCacheEntry> list) throws StartupException {
        for (BlobCacheEntry e : list) {
            if (entries.contains(e.domainId(), e.blobId())) {
                continue;
            }
            try {
                entries.add(e);
            } catch (BlobCacheException ex) {
                throw new StartupException("failed to add blob cache entry " + e.key() + ": " + ex.getMessage(), ex);
            }
        }
    }

    /** The device fd and state a predecessor saved with the supervisor, restored. */
    private static DevCachefiles takeOver(Path supervisor, BlobCacheEntries entries, CachefilesSetupException busy)
            throws StartupException {
        LOG.info("{}; taking over from supervisor {}", busy.getMessage(), supervisor);
        SupervisorLink.Received r;
        try {
            r = SupervisorLink.restore(supervisor);
        } catch (IOException e) {
            throw new StartupException(busy.getMessage() + ", and the supervisor " + supervisor
                    + " has no state to take over: " + e.getMessage(), e);
        }
        Fd device = r.fds().get(0);
        for (Fd extra : r.fds().subList(1, r.fds().size())) {
            extra.close();
        }
        try {
            FsCacheState state = FsCacheState.parse(r.state());
            add(entries, state.blobs());
            DevCachefiles dev = DevCachefiles.restore(device);
            LOG.info("took over the fscache device from the supervisor: {} blob cache entries restored",
                    state.blobs().size());
            return dev;
        } catch (IOException e) {
            device.close();
            throw new StartupException("failed to take over the fscache device: " + e.getMessage(), e);
        } catch (StartupException e) {
            device.close();
            throw e;
        }
    }

    /** Hands the state and a duplicate of the device to the supervisor; a supervisor not listening is not an error. */
    private static void save(Path supervisor, DevCachefiles dev, FsCacheState state) {
        try (Fd dup = dev.duplicate()) {
            SupervisorLink.save(supervisor, state.toBytes(), dup);
            LOG.info("saved the fscache state and device with supervisor {}", supervisor);
        } catch (IOException e) {
            LOG.info("could not save the fscache state with supervisor {}: {}", supervisor, e.getMessage());
        }
    }

    private static void serve(FsCacheService fscache, BlobCacheEntries entries) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(1);
        Signal.handle(new Signal("TERM"), s -> onSignal(s, done));
        Signal.handle(new Signal("INT"), s -> onSignal(s, done));
        if (fscache != null) {
            Thread watch = new Thread(() -> {
                try {
                    fscache.awaitTermination();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                done.countDown();
            }, "fscache-watch");
            watch.setDaemon(true);
            watch.start();
        }
        LOG.info("nydusd singleton is serving {} blob cache entries{} (RUNNING)", entries.entries().size(),
                fscache != null ? " over fscache" : "");
        done.await();
    }

    private static void onSignal(Signal s, CountDownLatch done) {
        LOG.info("received SIG{}, shutting down", s.getName());
        done.countDown();
    }
}
