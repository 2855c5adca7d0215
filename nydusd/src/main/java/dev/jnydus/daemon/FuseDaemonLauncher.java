package dev.jnydus.daemon;

import dev.jnydus.cache.device.CacheOptions;
import dev.jnydus.cache.device.CacheType;
import dev.jnydus.common.Errno;
import dev.jnydus.common.FsException;
import dev.jnydus.daemon.api.ApiServer;
import dev.jnydus.daemon.cli.BuildInfo;
import dev.jnydus.daemon.cli.DaemonArgs;
import dev.jnydus.daemon.cli.ErrorEvents;
import dev.jnydus.daemon.cli.LaunchContext;
import dev.jnydus.daemon.cli.LogbackConfigurer;
import dev.jnydus.daemon.cli.DaemonLauncher;
import dev.jnydus.daemon.cli.FsDriver;
import dev.jnydus.daemon.cli.GlobalOptions;
import dev.jnydus.daemon.cli.RafsMount;
import dev.jnydus.daemon.cli.RlimitPolicy;
import dev.jnydus.daemon.cli.Service;
import dev.jnydus.daemon.cli.StartupException;
import dev.jnydus.daemon.cli.StartupPlan;
import dev.jnydus.daemon.cli.StartupTrace;
import dev.jnydus.daemon.cli.StopSignals;
import dev.jnydus.daemon.upgrade.SupervisorClient;
import dev.jnydus.fuse.transport.dev.Fusectl;
import dev.jnydus.sys.ProcessIds;
import dev.jnydus.sys.ResourceLimits;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
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
 * <p>With {@code --fs-driver fanotify} the image is mounted by the kernel's EROFS driver instead
 * ({@link FanotifyDaemon}, through the same state machine and API). Which drivers the kernel
 * offers is probed (first for fanotify; for FUSE only {@code /dev/fuse} is, the rest beside the
 * mount), logged in one line and reported by {@code GET /api/v1/daemon}.
 *
 * <p>Start-up time counts (the snapshotter waits for RUNNING): the API server is bound under a
 * temporary name on another thread while the bootstrap is opened and mounted, and only renamed
 * into place once RUNNING ({@link ApiServer#bind}, {@link ApiServer#publish}); Jackson and JNA
 * are readied while {@code main} reads the command line ({@link #prepare}, {@link StartupWarmup}).
 *
 * <p>Signals are caught from the start of {@code main} ({@link StopSignals}); this launcher checks
 * for a request after every step that creates something, so a signal at any moment ends with the
 * mount gone. {@code nydusd singleton} runs in {@link SingletonDaemon}.
 */
public final class FuseDaemonLauncher implements DaemonLauncher {
    /**
     * Made on first use, not when {@code main} makes the launcher: {@link #prepare} starts JNA's
     * warm-up before SLF4J's and Logback's set-up (tens of milliseconds), not after it.
     */
    private static final class Log {
        static final Logger LOG = LoggerFactory.getLogger(FuseDaemonLauncher.class);
    }
    /** Longest a shutdown may take before the process ends regardless. */
    static final Duration SHUTDOWN_LIMIT = Duration.ofSeconds(30);

    @Override
    public void prepare() {
        StartupWarmup.start();
    }

    @Override
    public void launch(StartupPlan plan) throws Exception {
        launch(plan, new LaunchContext(StopSignals.install(), new LogbackConfigurer(), new ErrorEvents()));
    }

    @Override
    public void launch(StartupPlan plan, LaunchContext context) throws Exception {
        DaemonArgs args = plan.args();
        GlobalOptions g = args.global();
        if (args.service() instanceof Service.Singleton singleton) {
            if (g.upgrade()) {
                throw new StartupException("--upgrade (waiting for a takeover) is not supported by the singleton yet");
            }
            applyRlimit(g.rlimitNofile());
            SingletonDaemon.run(plan, singleton, context);
            return;
        }
        if (!(args.service() instanceof Service.Fuse fuse)) {
            throw new StartupException("the " + args.subcommand() + " service is not supported yet");
        }
        // The bootstrap and its whole-image check first: they run while JNA loads (applyRlimit waits
        // for it) and the service objects are made. Not for the fanotify driver (its own start) nor
        // a successor, which mounts nothing of its own.
        Optional<RafsMount> early = fuse.fuse().fsDriver() == FsDriver.FANOTIFY || g.upgrade() ? Optional.empty()
                : plan.startupMount();
        try (BootstrapPreload preload = early.map(m -> BootstrapPreload.start(Path.of(m.bootstrap()))).orElse(null)) {
            launchFuse(plan, fuse, context, preload);
        }
    }

    /**
     * A {@code fuse} daemon's start, service and stop; {@code preload}, when not null, holds the
     * start-up bootstrap already opened and being checked.
     */
    private static void launchFuse(StartupPlan plan, Service.Fuse fuse, LaunchContext context,
                                   BootstrapPreload preload) throws Exception {
        GlobalOptions g = plan.args().global();
        StopSignals stop = context.stop();
        applyRlimit(g.rlimitNofile());
        StartupTrace.mark("rlimit");
        g.id().ifPresent(id -> Log.LOG.info("daemon id {}, supervisor {}, failover policy {}", id,
                g.supervisor().orElse(""), fuse.fuse().failoverPolicy().cliName()));

        if (fuse.fuse().fsDriver() == FsDriver.FANOTIFY) {
            KernelFeatures features = KernelFeatures.probe(KernelFeatures.probeDir(plan.startupMount()));
            Log.LOG.info(features.summary());
            if (g.upgrade()) {
                throw new StartupException("--upgrade (waiting for a takeover) is not supported with --fs-driver "
                        + "fanotify yet");
            }
            FanotifyDaemon.run(plan, fuse, features, context, identity(g, features));
            return;
        }
        // FUSE needs /dev/fuse only; the other modes are probed beside the mount, for the log and
        // the API (the fanotify probe creates a file where the cache lives: tens of milliseconds).
        KernelFeatures.requireFusedev();
        CompletableFuture<KernelFeatures> features = CompletableFuture.supplyAsync(() -> {
            KernelFeatures f = KernelFeatures.probe(KernelFeatures.probeDir(plan.startupMount()));
            Log.LOG.info(f.summary());
            return f;
        }, FuseDaemonLauncher::startupThread);
        // A successor must not stat its own mountpoint before it serves it: nobody would answer.
        // MountpointCheck reads the mount table and never looks at a FUSE mount.
        MountpointCheck.Result at = MountpointCheck.inspect(fuse.fuse().mountpoint(), g.apiSock());
        boolean crashed = !g.upgrade() && at.state() == MountpointCheck.State.CRASHED;
        if (crashed) {
            Log.LOG.warn("a previous daemon crashed: {}", at.describe());
        } else if (!g.upgrade() && at.state() != MountpointCheck.State.FREE) {
            throw new StartupException("refusing to mount: " + at.describe());
        }
        boolean awaitTakeover = g.upgrade() || crashed;
        if (awaitTakeover && preload != null) {
            preload.close();
        }
        Path mountpoint = at.mountpoint();
        int uid = ProcessIds.geteuid();
        int gid = ProcessIds.getegid();
        Optional<RafsMount> startup = awaitTakeover ? Optional.empty() : plan.startupMount();
        CacheOptions cacheOptions = startup.isPresent() ? RafsInstance.cacheOptions(startup.get().config())
                : CacheOptions.builder(CacheType.DUMMYCACHE).build();
        StartupLimits.check(StartupLimits.Demand.of(fuse.fuse().fuseThreads(), RafsInstance.FETCH_THREADS, cacheOptions),
                MemoryBudget.ofThisJvm());
        StartupTrace.mark("checks");
        FuseRequestMetrics requests = new FuseRequestMetrics(Clock.systemUTC());
        FuseService service = new FuseService(mountpoint, fuse.fuse().fuseThreads(), fuse.fuse().writable(),
                Clock.systemUTC(), requests, stop::request);
        RuntimeConfig runtimeConfig = new RuntimeConfig();
        ImageOpener opener = new RafsImageOpener(uid, gid);
        FuseHandover handover = new FuseHandover(service, g.supervisor().map(s -> new SupervisorClient(Path.of(s))),
                fuse.fuse().failoverPolicy(), runtimeConfig, opener, BuildInfo.current(), new Fusectl());
        service.restorer(handover);
        DaemonStateMachine machine = new DaemonStateMachine(service);
        DaemonMetrics metrics = new DaemonMetrics(service.mounts()::entries, requests, machine::state);
        StartupTrace.mark("service");
        RafsInstance instance = null;
        ApiServer api = null;
        CompletableFuture<ApiServer> boundApi = null;
        try {
            if (g.apiSock().isPresent()) {
                // Bound beside the mount and the kernel probe, published once RUNNING (or at once
                // when waiting for a takeover).
                String sock = g.apiSock().get();
                ApiDispatcher.Identity identity = identity(g, features);
                CompletableFuture<ApiServer> binding = CompletableFuture.supplyAsync(() -> bindApi(sock,
                        new ApiDispatcher(identity, machine, service, handover, null, opener, metrics, runtimeConfig,
                                context.logs(), context.errors(), stop::request)), FuseDaemonLauncher::startupThread);
                // Ready once the probe is done too, so that the daemon's info has the features.
                boundApi = binding.thenCombine(features.handle((f, e) -> f), (bound, f) -> bound);
            }
            if (awaitTakeover) {
                // Spec 4.2: stay INIT with the API up; mounts come from the saved state.
                Log.LOG.info("{}: waiting in INIT for a takeover of {}", crashed ? "a predecessor crashed" : "--upgrade",
                        mountpoint);
                if (boundApi == null) {
                    Log.LOG.warn("without --apisock nothing can ask for the takeover");
                } else if (!stop.isRequested()) {
                    api = publishApi(g.apiSock().get(), boundApi);
                }
                awaitStop(stop);
            } else {
                instance = startup.isPresent() ? RafsInstance.open(startup.get(), uid, gid, preload) : null;
                StartupTrace.mark("bootstrap");
                if (instance != null) {
                    RafsMount m = startup.get();
                    service.attach(m.virtualMountpoint(), MountCommand.of(m), instance);
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
                StartupTrace.mark("mounted");
                machine.fire(DaemonEvent.MOUNT);
                if (!stop.isRequested()) {
                    machine.fire(DaemonEvent.START);
                    StartupTrace.mark("running");
                    Log.LOG.info("nydusd is serving {} (RUNNING)", mountpoint);
                    service.mountsStarted();
                    // The snapshotter relies on RUNNING before the socket appears (spec 8).
                    if (boundApi != null && !stop.isRequested()) {
                        api = publishApi(g.apiSock().get(), boundApi);
                        StartupTrace.mark("api");
                    }
                    StartupTrace.write();
                    awaitStop(stop);
                }
            }
            Log.LOG.info("stopping ({}), state {}", stop.source().orElse("?"), machine.state());
            startWatchdog(service);
            try {
                machine.stop();
            } catch (DaemonException e) {
                // The service is closed below whatever the machine says: the mount goes anyway.
                Log.LOG.error("stopping through the state machine failed: {}", e.getMessage());
            }
        } finally {
            if (api != null) {
                api.close();
            } else if (boundApi != null) {
                closeWhenBound(boundApi);
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
            Log.LOG.error("shutdown did not finish within {} s; unmounting and exiting now", SHUTDOWN_LIMIT.toSeconds());
            service.forceUnmount();
            Runtime.getRuntime().halt(0);
        }, "shutdown-watchdog");
        t.setDaemon(true);
        t.start();
    }

    static ApiDispatcher.Identity identity(GlobalOptions g, KernelFeatures features) {
        Optional<KernelFeatures> probed = Optional.ofNullable(features);
        return new ApiDispatcher.Identity(BuildInfo.current(), g.id(), g.supervisor(), () -> probed);
    }

    /** As {@link #identity(GlobalOptions, KernelFeatures)}, with the features once the probe has given them. */
    static ApiDispatcher.Identity identity(GlobalOptions g, CompletableFuture<KernelFeatures> probe) {
        return new ApiDispatcher.Identity(BuildInfo.current(), g.id(), g.supervisor(), () ->
                probe.isDone() && !probe.isCompletedExceptionally() ? Optional.ofNullable(probe.join()) : Optional.empty());
    }

    /** Runs a start-up step beside the main thread, on a thread of its own that ends with it. */
    private static void startupThread(Runnable step) {
        Thread t = new Thread(step, "startup");
        t.setDaemon(true);
        t.start();
    }

    private static ApiServer bindApi(String sock, ApiDispatcher dispatcher) {
        try {
            return ApiServer.bind(Path.of(sock), dispatcher);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The server {@link #bindApi} made, in place at its path; a failure to bind or publish fails the start. */
    private static ApiServer publishApi(String sock, CompletableFuture<ApiServer> bound) throws StartupException,
            InterruptedException {
        ApiServer api;
        try {
            api = bound.get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() instanceof UncheckedIOException u ? u.getCause() : e.getCause();
            throw new StartupException("failed to start the API server on " + sock + ": " + cause.getMessage(), cause);
        }
        try {
            api.publish();
            return api;
        } catch (IOException | RuntimeException e) {
            api.close();
            throw new StartupException("failed to start the API server on " + sock + ": " + e.getMessage(), e);
        }
    }

    /** Closes a server {@link #bindApi} is making, once it is made (a start that failed meanwhile). */
    private static void closeWhenBound(CompletableFuture<ApiServer> bound) {
        try {
            bound.join().close();
        } catch (CompletionException | CancellationException e) {
            // Nothing was bound.
        }
    }

    static ApiServer startApi(String sock, ApiDispatcher dispatcher) throws StartupException {
        try {
            return ApiServer.start(Path.of(sock), dispatcher);
        } catch (IOException | RuntimeException e) {
            throw new StartupException("failed to start the API server on " + sock + ": " + e.getMessage(), e);
        }
    }

    static void awaitStop(StopSignals stop) throws InterruptedException {
        try {
            stop.requested().get();
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code --rlimit-nofile}: soft and hard limit set to the value {@link RlimitPolicy} computes. */
    static void applyRlimit(long requested) throws StartupException {
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
                    Log.LOG.info("RLIMIT_NOFILE set to {}", limit);
                } catch (FsException e) {
                    if (e.errno() != Errno.EPERM || cur[1] == -1) {
                        throw e;
                    }
                    // Without CAP_SYS_RESOURCE the hard limit cannot rise; upstream gives up here,
                    // we keep the hard limit and take what it allows.
                    long soft = Long.compareUnsigned(limit, cur[1]) < 0 ? limit : cur[1];
                    ResourceLimits.setrlimit(ResourceLimits.RLIMIT_NOFILE, soft, cur[1]);
                    Log.LOG.warn("RLIMIT_NOFILE: cannot raise the hard limit to {} ({}); soft limit set to {}", limit,
                            e.getMessage(), soft);
                }
            }
        } catch (IOException | NumberFormatException e) {
            throw new StartupException("failed to set RLIMIT_NOFILE: " + e.getMessage(), e);
        }
    }
}
