package dev.jnydus.daemon;

import dev.jnydus.config.BlobCacheEntry;
import dev.jnydus.daemon.cli.DaemonArgs;
import dev.jnydus.daemon.cli.Service;
import dev.jnydus.daemon.cli.SingletonOptions;
import dev.jnydus.daemon.cli.StartupException;
import dev.jnydus.daemon.cli.StartupPlan;
import dev.jnydus.fscache.BlobCacheEntries;
import dev.jnydus.fscache.BlobCacheException;
import dev.jnydus.fscache.FsCacheService;
import dev.jnydus.fscache.cachefiles.CachefilesSetupException;
import dev.jnydus.fscache.cachefiles.DevCachefiles;
import java.nio.file.Path;
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
        SingletonOptions o = singleton.options();
        try (SingletonBackends backends = new SingletonBackends();
             BlobCacheEntries entries = new BlobCacheEntries(backends)) {
            for (BlobCacheEntry e : plan.singletonBlobs()) {
                try {
                    entries.add(e);
                } catch (BlobCacheException ex) {
                    throw new StartupException("failed to add blob cache entry " + e.key() + ": " + ex.getMessage(), ex);
                }
            }
            FsCacheService fscache = null;
            if (o.fscacheDir().isPresent()) {
                try {
                    DevCachefiles dev = DevCachefiles.bind(DevCachefiles.DEVICE, Path.of(o.fscacheDir().get()),
                            o.fscacheTag());
                    fscache = FsCacheService.start(dev, entries, o.fscacheThreads());
                } catch (CachefilesSetupException e) {
                    throw new StartupException(e.getMessage(), e);
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
