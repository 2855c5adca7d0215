package dev.jnydus.daemon;

import dev.jnydus.cache.device.CacheOptions;
import dev.jnydus.cache.device.CacheType;
import dev.jnydus.common.Errno;
import dev.jnydus.common.FsException;
import dev.jnydus.config.BlobCacheEntry;
import dev.jnydus.daemon.api.ApiServer;
import dev.jnydus.daemon.cli.BuildInfo;
import dev.jnydus.daemon.cli.DaemonArgs;
import dev.jnydus.daemon.cli.ErrorEvents;
import dev.jnydus.daemon.cli.LaunchContext;
import dev.jnydus.daemon.cli.LogbackConfigurer;
import dev.jnydus.daemon.cli.DaemonLauncher;
import dev.jnydus.daemon.cli.GlobalOptions;
import dev.jnydus.daemon.cli.RafsMount;
import dev.jnydus.daemon.cli.RlimitPolicy;
import dev.jnydus.daemon.cli.Service;
import dev.jnydus.daemon.cli.StartupException;
import dev.jnydus.daemon.cli.StartupPlan;
import dev.jnydus.daemon.cli.StopSignals;
import dev.jnydus.sys.ProcessIds;
import dev.jnydus.sys.ResourceLimits;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs nydusd's FUSE service ({@code nydusd [fuse] ...}): sets RLIMIT_NOFILE, checks the mountpoint
 * ({@link MountpointCheck}) and the memory the configuration asks for ({@link StartupLimits}), opens
 * the startup RAFS instance (every check that can fail happens here, before anything is mounted,
 * the whole bootstrap included: {@link BootstrapValidation}), mounts the FUSE session, and drives
 * the {@link DaemonStateMachine} through Mount and Start to RUNNING; then it waits for a stop
 * request (SIGTERM, SIGINT, the loss of the mount) and stops through the same machine, which
 * unmounts. The process then exits 0.
 *
 * <p>Signals are caught from the start of {@code main} ({@link StopSignals}); this launcher checks
 * for a request after every step that creates something, so a signal at any moment ends with the
 * mount gone.
 */
public final class FuseDaemonLauncher implements DaemonLauncher {
    private static final Logger LOG = LoggerFactory.getLogger(FuseDaemonLauncher.class);
    /** Longest a shutdown may take before the process ends regardless. */
    static final Duration SHUTDOWN_LIMIT = Duration.ofSeconds(30);

    @Override
    public void launch(StartupPlan plan) throws Exception {
        launch(plan, new LaunchContext(StopSignals.install(), new LogbackConfigurer(), new ErrorEvents()));
    }

    @Override
    public void launch(StartupPlan plan, LaunchContext context) throws Exception {
        DaemonArgs args = plan.args();
        GlobalOptions g = args.global();
        if (g.upgrade()) {
            throw new StartupException("--upgrade (waiting for a takeover) is not supported yet");
        }
        if (args.service() instanceof Service.Singleton singleton) {
            runSingleton(plan, singleton, context);
            return;
        }
        if (!(args.service() instanceof Service.Fuse fuse)) {
            throw new StartupException("the " + args.subcommand() + " service is not supported yet");
        }
        StopSignals stop = context.stop();
        applyRlimit(g.rlimitNofile());
        g.id().ifPresent(id -> LOG.info("daemon id {}, supervisor {}, failover policy {}", id,
                g.supervisor().orElse(""), fuse.fuse().failoverPolicy().cliName()));

        Path mountpoint = mountpoint(fuse.fuse().mountpoint(), g.apiSock());
        int uid = ProcessIds.geteuid();
        int gid = ProcessIds.getegid();
        Optional<RafsMount> startup = plan.startupMount();
        CacheOptions cacheOptions = startup.isPresent() ? RafsInstance.cacheOptions(startup.get().config())
                : CacheOptions.builder(CacheType.DUMMYCACHE).build();
        StartupLimits.check(StartupLimits.Demand.of(fuse.fuse().fuseThreads(), cacheOptions), MemoryBudget.ofThisJvm());
        RafsInstance instance = startup.isPresent() ? RafsInstance.open(startup.get(), uid, gid) : null;
        FuseRequestMetrics requests = new FuseRequestMetrics(Clock.systemUTC());
        FuseService service = new FuseService(mountpoint, fuse.fuse().fuseThreads(), fuse.fuse().writable(),
                Clock.systemUTC(), requests, stop::request);
        DaemonStateMachine machine = new DaemonStateMachine(service);
        DaemonMetrics metrics = new DaemonMetrics(service.mounts()::entries, requests, machine::state);
        ApiServer api = null;
        try {
            if (instance != null) {
                RafsMount m = startup.get();
                service.attach(m.virtualMountpoint(), new MountCommand(MountCommand.RAFS, m.bootstrap(),
                        m.config().toJson(), m.prefetchFiles()), instance);
                instance = null;
            }
            if (stop.isRequested()) {
                return;
            }
            try {
                service.mountSession();
            } catch (IOException | RuntimeException e) {
                throw new StartupException("failed to mount " + mountpoint + ": " + e.getMessage(), e);
            }
            machine.fire(DaemonEvent.MOUNT);
            if (!stop.isRequested()) {
                machine.fire(DaemonEvent.START);
                LOG.info("nydusd is serving {} (RUNNING)", mountpoint);
                service.mountsStarted();
                // The snapshotter relies on RUNNING before the socket appears (spec 8).
                if (g.apiSock().isPresent() && !stop.isRequested()) {
                    ApiDispatcher dispatcher = new ApiDispatcher(identity(g), machine, service, null,
                            new RafsImageOpener(uid, gid), metrics, context.logs(), context.errors(), stop::request);
                    api = startApi(g.apiSock().get(), dispatcher);
                }
                awaitStop(stop);
            }
            LOG.info("stopping ({}), state {}", stop.source().orElse("?"), machine.state());
            startWatchdog(service);
            try {
                machine.stop();
            } catch (DaemonException e) {
                // The service is closed below whatever the machine says: the mount goes anyway.
                LOG.error("stopping through the state machine failed: {}", e.getMessage());
            }
        } finally {
            if (api != null) {
                api.close();
            }
            if (instance != null) {
                instance.close();
            }
            service.close();
            machine.close();
        }
        Throwable failure = service.workerFailure();
        if (failure != null) {
            throw new IOException("a FUSE worker failed: " + failure, failure);
        }
    }

    /**
     * {@code nydusd singleton}: the blob cache manager behind {@code /api/v2/blobs}, with the
     * entries of {@code --config} added at start. Serving them through {@code /dev/cachefiles}
     * ({@code --fscache}) is the fscache service's, not here yet.
     */
    private void runSingleton(StartupPlan plan, Service.Singleton singleton, LaunchContext context)
            throws Exception {
        GlobalOptions g = plan.args().global();
        if (singleton.options().fscacheDir().isPresent()) {
            throw new StartupException("singleton --fscache (the fscache service) is not supported yet");
        }
        StopSignals stop = context.stop();
        applyRlimit(g.rlimitNofile());
        BlobCacheManager blobs = new BlobCacheManager();
        for (BlobCacheEntry e : plan.singletonBlobs()) {
            try {
                blobs.add(e);
            } catch (DaemonException ex) {
                throw new StartupException("failed to add blob cache entry " + e.key() + ": " + ex.getMessage(), ex);
            }
        }
        DaemonStateMachine machine = new DaemonStateMachine(new SingletonActions());
        ApiServer api = null;
        try {
            machine.fire(DaemonEvent.MOUNT);
            machine.fire(DaemonEvent.START);
            LOG.info("nydusd singleton is serving the blob cache manager (RUNNING)");
            if (g.apiSock().isPresent() && !stop.isRequested()) {
                ApiDispatcher dispatcher = new ApiDispatcher(identity(g), machine, null, blobs,
                        new RafsImageOpener(ProcessIds.geteuid(), ProcessIds.getegid()), DaemonMetrics.none(machine::state), context.logs(),
                        context.errors(), stop::request);
                api = startApi(g.apiSock().get(), dispatcher);
            }
            awaitStop(stop);
            LOG.info("stopping ({}), state {}", stop.source().orElse("?"), machine.state());
            machine.stop();
        } finally {
            if (api != null) {
                api.close();
            }
            machine.close();
        }
    }

    /** The singleton's actions: nothing to serve until the fscache service exists. */
    private static final class SingletonActions implements DaemonStateMachine.Actions {
        @Override
        public void restore() throws DaemonException {
            throw new DaemonException(DaemonException.Kind.UPGRADE_MANAGER,
                    "failed to upgrade nydusd daemon, missing supervisor path");
        }

        @Override
        public void startService() {
        }

        @Override
        public void terminateService() {
        }

        @Override
        public void umount() {
        }
    }

    /**
     * Bounds the shutdown: should closing anything block (a worker or a fetch stuck on a hung
     * backend holding a lock), the mount is detached and the process ends anyway, with status 0,
     * after {@link #SHUTDOWN_LIMIT}. Exiting closes the last /dev/fuse descriptors, which aborts
     * the connection without fusectl.
     */
    private static void startWatchdog(FuseService service) {
        Thread t = new Thread(() -> {
            try {
                Thread.sleep(SHUTDOWN_LIMIT.toMillis());
            } catch (InterruptedException e) {
                return;
            }
            LOG.error("shutdown did not finish within {} s; unmounting and exiting now", SHUTDOWN_LIMIT.toSeconds());
            service.forceUnmount();
            Runtime.getRuntime().halt(0);
        }, "shutdown-watchdog");
        t.setDaemon(true);
        t.start();
    }

    private static ApiDispatcher.Identity identity(GlobalOptions g) {
        return new ApiDispatcher.Identity(BuildInfo.current(), g.id(), g.supervisor());
    }

    private static ApiServer startApi(String sock, ApiDispatcher dispatcher) throws StartupException {
        try {
            return ApiServer.start(Path.of(sock), dispatcher);
        } catch (IOException | RuntimeException e) {
            throw new StartupException("failed to start the API server on " + sock + ": " + e.getMessage(), e);
        }
    }

    private static void awaitStop(StopSignals stop) throws InterruptedException {
        try {
            stop.requested().get();
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The mountpoint, checked by {@link MountpointCheck}: a directory that no FUSE filesystem is
     * mounted on. A crashed predecessor's mount (spec 1.7) is refused too, until takeover is served.
     */
    private static Path mountpoint(String given, Optional<String> apiSock) throws StartupException {
        MountpointCheck.Result at = MountpointCheck.inspect(given, apiSock);
        switch (at.state()) {
            case FREE:
                return at.mountpoint();
            case CRASHED:
                throw new StartupException("refusing to mount: " + at.describe() + "; taking over from it is not "
                        + "supported yet, unmount " + at.mountpoint() + " to start afresh");
            default:
                throw new StartupException("refusing to mount: " + at.describe());
        }
    }

    /** {@code --rlimit-nofile}: soft and hard limit set to the value {@link RlimitPolicy} computes. */
    private static void applyRlimit(long requested) throws StartupException {
        if (requested == 0) {
            return;
        }
        try {
            // Files.readString trusts the size procfs reports and may return a single byte.
            long fileMax;
            try (java.io.BufferedReader r = Files.newBufferedReader(Path.of("/proc/sys/fs/file-max"),
                    StandardCharsets.US_ASCII)) {
                fileMax = Long.parseLong(String.valueOf(r.readLine()).trim());
            }
            long[] cur = ResourceLimits.getrlimit(ResourceLimits.RLIMIT_NOFILE);
            long limit = RlimitPolicy.effective(requested, fileMax, cur[0]);
            if (limit >= 0 && (cur[0] != limit || cur[1] != limit)) {
                try {
                    ResourceLimits.setrlimit(ResourceLimits.RLIMIT_NOFILE, limit, limit);
                    LOG.info("RLIMIT_NOFILE set to {}", limit);
                } catch (FsException e) {
                    if (e.errno() != Errno.EPERM || cur[1] == -1) {
                        throw e;
                    }
                    // Without CAP_SYS_RESOURCE the hard limit cannot rise; upstream gives up here,
                    // we keep the hard limit and take what it allows.
                    long soft = Long.compareUnsigned(limit, cur[1]) < 0 ? limit : cur[1];
                    ResourceLimits.setrlimit(ResourceLimits.RLIMIT_NOFILE, soft, cur[1]);
                    LOG.warn("RLIMIT_NOFILE: cannot raise the hard limit to {} ({}); soft limit set to {}", limit,
                            e.getMessage(), soft);
                }
            }
        } catch (IOException | NumberFormatException e) {
            throw new StartupException("failed to set RLIMIT_NOFILE: " + e.getMessage(), e);
        }
    }
}
