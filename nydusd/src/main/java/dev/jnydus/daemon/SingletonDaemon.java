package dev.jnydus.daemon;

import dev.jnydus.common.Errno;
import dev.jnydus.config.BlobCacheEntry;
import dev.jnydus.daemon.api.ApiServer;
import dev.jnydus.daemon.cli.GlobalOptions;
import dev.jnydus.daemon.cli.LaunchContext;
import dev.jnydus.daemon.cli.Service;
import dev.jnydus.daemon.cli.SingletonOptions;
import dev.jnydus.daemon.cli.StartupException;
import dev.jnydus.daemon.cli.StartupPlan;
import dev.jnydus.daemon.cli.StopSignals;
import dev.jnydus.fscache.BlobCacheException;
import dev.jnydus.fscache.cachefiles.CachefilesSetupException;
import dev.jnydus.sys.ProcessIds;
import java.nio.file.Path;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs {@code nydusd singleton} through the daemon core, as upstream's {@code create_daemon} does:
 * with {@code --fscache DIR}, {@code /dev/cachefiles} is opened and bound (dir, optional tag,
 * {@code bind ondemand}); the entries of {@code --config} (spec 2.6) are bound; then Mount (READY)
 * and Start (RUNNING, the fscache workers serve), and only then the API socket appears. It serves
 * until SIGTERM or SIGINT, {@code PUT /api/v1/daemon/exit}, or the device failing, and stops
 * through the same state machine.
 *
 * <p>Start-up fails with one line naming what is missing: no cachefiles in the kernel, no
 * on-demand mode, a busy device, an unusable cache directory, or an entry that cannot be bound.
 *
 * <p>Failover, with {@code --supervisor}: once serving, and after every bind or unbind, the daemon
 * hands its state and a duplicate of the device to the supervisor, which keeps the kernel's cache
 * alive if the daemon dies. A daemon started while the device is busy takes over through the
 * Takeover event (the hand-over the supervisor keeps: saved entries re-bound, the device adopted
 * and {@code restore} written), so blocked readers carry on. Upstream saves only on
 * {@code PUT /api/v1/daemon/fuse/sendfd} and restores on {@code .../takeover}; until the API
 * serves those for fscache, the daemon does both by itself.
 */
final class SingletonDaemon {
    private static final Logger LOG = LoggerFactory.getLogger(SingletonDaemon.class);

    private SingletonDaemon() {
    }

    static void run(StartupPlan plan, Service.Singleton singleton, LaunchContext context) throws Exception {
        GlobalOptions g = plan.args().global();
        SingletonOptions o = singleton.options();
        StopSignals stop = context.stop();
        Optional<Path> supervisor = g.supervisor().map(Path::of);
        SingletonService.FsCacheOptions fscache = new SingletonService.FsCacheOptions(
                o.fscacheDir().map(Path::of), o.fscacheTag(), o.fscacheThreads());
        try (SingletonService service = new SingletonService(fscache, supervisor, stop::request);
             DaemonStateMachine machine = new DaemonStateMachine(service)) {
            boolean takeover = false;
            if (service.hasFscache()) {
                try {
                    service.bindDevice();
                } catch (CachefilesSetupException e) {
                    if (e.errno() != Errno.EBUSY || supervisor.isEmpty()) {
                        throw new StartupException(e.getMessage(), e);
                    }
                    LOG.info("{}; taking over from supervisor {}", e.getMessage(), supervisor.get());
                    try {
                        machine.fire(DaemonEvent.TAKEOVER);
                    } catch (DaemonException de) {
                        throw new StartupException(e.getMessage() + ", and " + de.getMessage(), de);
                    }
                    takeover = true;
                }
            }
            for (BlobCacheEntry e : plan.singletonBlobs()) {
                try {
                    service.addIfAbsent(e);
                } catch (BlobCacheException ex) {
                    throw new StartupException("failed to add blob cache entry " + e.key() + ": " + ex.getMessage(), ex);
                }
            }
            if (!takeover) {
                machine.fire(DaemonEvent.MOUNT);
            }
            ApiServer api = null;
            try {
                if (!stop.isRequested()) {
                    machine.fire(DaemonEvent.START);
                    service.saveToSupervisor();
                    LOG.info("nydusd singleton is serving {} blob cache entries{} (RUNNING)", service.entries().size(),
                            service.hasFscache() ? " over fscache" : "");
                    // The snapshotter relies on RUNNING before the socket appears (spec 8).
                    if (g.apiSock().isPresent() && !stop.isRequested()) {
                        // Probed only now: a bound device already answered for fscache, and nothing
                        // here waits on the probe before RUNNING.
                        KernelFeatures features = KernelFeatures.probe(fscache.dir().orElse(
                                Path.of(System.getProperty("java.io.tmpdir"))));
                        LOG.info("{}", features.summary());
                        ApiDispatcher dispatcher = new ApiDispatcher(FuseDaemonLauncher.identity(g, features), machine, null,
                                null, service, new RafsImageOpener(ProcessIds.geteuid(), ProcessIds.getegid()),
                                DaemonMetrics.singleton(machine::state, service), new RuntimeConfig(), context.logs(),
                                context.errors(), stop::request);
                        api = FuseDaemonLauncher.startApi(g.apiSock().get(), dispatcher);
                    }
                    FuseDaemonLauncher.awaitStop(stop);
                }
                LOG.info("stopping ({}), state {}", stop.source().orElse("?"), machine.state());
                try {
                    machine.stop();
                } catch (DaemonException e) {
                    // The service is closed below whatever the machine says.
                    LOG.error("stopping through the state machine failed: {}", e.getMessage());
                }
            } finally {
                if (api != null) {
                    api.close();
                }
            }
            Throwable failure = service.failure();
            if (failure != null) {
                throw new StartupException("the fscache service stopped: " + failure.getMessage(), failure);
            }
        }
    }
}
