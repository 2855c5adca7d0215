package dev.jnydus.daemon;

import dev.jnydus.daemon.api.ApiServer;
import dev.jnydus.daemon.cli.FsDriver;
import dev.jnydus.daemon.cli.GlobalOptions;
import dev.jnydus.daemon.cli.LaunchContext;
import dev.jnydus.daemon.cli.RafsMount;
import dev.jnydus.daemon.cli.Service;
import dev.jnydus.daemon.cli.StartupException;
import dev.jnydus.daemon.cli.StartupPlan;
import dev.jnydus.daemon.cli.StopSignals;
import dev.jnydus.fscache.fanotify.FanotifyMount;
import dev.jnydus.sys.ProcessIds;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code nydusd --fs-driver fanotify}: the startup image mounted by the kernel's EROFS driver over
 * the blob cache, filled on fanotify pre-content events ({@link FanotifyService}, {@link
 * FanotifyMount}). The lifecycle is the FUSE daemon's: every check before anything is mounted,
 * then Mount and Start through the {@link DaemonStateMachine} to RUNNING, the API socket (when
 * {@code --apisock} is given) once RUNNING, and on SIGTERM, SIGINT, a serving failure or {@code
 * PUT /api/v1/daemon/exit} a stop through the same machine, which unmounts (waiting while the
 * mount is busy: closing the fanotify group while it is mounted would let readers see holes as
 * zeros). The process then exits 0, or 1 after a serving failure.
 *
 * <p>A daemon restarted after a crash finds its predecessor's mount at the mountpoint and serves
 * it again (one whose daemon still answers on the API socket given is refused). Not offered: the
 * API's mount endpoint ({@link FanotifyService#NO_API_MOUNTS}) and hot upgrade.
 */
final class FanotifyDaemon {
    private static final Logger LOG = LoggerFactory.getLogger(FanotifyDaemon.class);
    /** Fill workers at least: each holds one reader's event while its chunks are fetched. */
    static final int MIN_FILL_THREADS = 16;

    private FanotifyDaemon() {
    }

    static void run(StartupPlan plan, Service.Fuse fuse, KernelFeatures features, LaunchContext context,
                    ApiDispatcher.Identity identity) throws Exception {
        GlobalOptions g = plan.args().global();
        StopSignals stop = context.stop();
        RafsMount startup = plan.startupMount().orElseThrow(() -> new StartupException(
                "--fs-driver fanotify mounts the image given with --bootstrap; none was given"));
        if (fuse.fuse().writable()) {
            throw new StartupException("--writable cannot be used with --fs-driver fanotify: EROFS mounts are read-only");
        }
        features.require(FsDriver.FANOTIFY);
        Path mountpoint = mountpoint(fuse.fuse().mountpoint(), g.apiSock());
        int threads = Math.max(MIN_FILL_THREADS, fuse.fuse().fuseThreads());
        // No FUSE request buffers here; the fill workers are the on-demand fetchers.
        StartupLimits.Demand fuseLike = StartupLimits.Demand.of(threads, threads,
                FanotifyInstance.cacheOptions(RafsInstance.cacheOptions(startup.config())));
        StartupLimits.check(new StartupLimits.Demand(0, fuseLike.workerDirectBytes(), fuseLike.onDemandFetchers(),
                fuseLike.fetchWindow(), fuseLike.prefetchThreads(), fuseLike.prefetchWindow(),
                fuseLike.memoryCacheBytes()), MemoryBudget.ofThisJvm());
        int uid = ProcessIds.geteuid();
        int gid = ProcessIds.getegid();
        FanotifyInstance instance = FanotifyInstance.open(startup, uid, gid);
        FanotifyService service = new FanotifyService(mountpoint, threads, stop::request);
        DaemonStateMachine machine = new DaemonStateMachine(service);
        DaemonMetrics metrics = new DaemonMetrics(service.mounts()::entries, null, machine::state);
        ApiServer api = null;
        try {
            service.attach(startup.virtualMountpoint(), MountCommand.of(startup), instance);
            instance = null;
            if (stop.isRequested()) {
                return;
            }
            try {
                service.mountImage();
            } catch (IOException | RuntimeException e) {
                throw new StartupException("failed to mount " + mountpoint + ": " + e.getMessage(), e);
            }
            // A signal that came while the mount was being made is acted on below, through the
            // machine, with the mount unmounted before the group closes.
            machine.fire(DaemonEvent.MOUNT);
            if (!stop.isRequested()) {
                machine.fire(DaemonEvent.START);
                LOG.info("nydusd is serving {} with fs driver fanotify (RUNNING)", mountpoint);
                service.mountsStarted();
                // The snapshotter relies on RUNNING before the socket appears (spec 8).
                if (g.apiSock().isPresent() && !stop.isRequested()) {
                    ApiDispatcher dispatcher = new ApiDispatcher(identity, machine, service, null, null,
                            (path, cmd) -> {
                                throw DaemonException.unsupported(FanotifyService.NO_API_MOUNTS);
                            }, metrics, new RuntimeConfig(), context.logs(), context.errors(), stop::request);
                    api = FuseDaemonLauncher.startApi(g.apiSock().get(), dispatcher);
                }
                FuseDaemonLauncher.awaitStop(stop);
            }
            LOG.info("stopping ({}), state {}", stop.source().orElse("?"), machine.state());
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
        Throwable failure = service.failure();
        if (failure != null) {
            throw new IOException("fanotify serving failed: " + failure, failure);
        }
    }

    /**
     * The mountpoint as the FUSE daemon checks it, plus one case of this driver's own: an EROFS
     * mount there whose daemon still answers on the API socket given is live, and a second daemon
     * would mark its files too. An EROFS mount without a live daemon is a crashed predecessor's,
     * which this daemon serves again.
     */
    static Path mountpoint(String given, Optional<String> apiSock) throws StartupException {
        MountpointCheck.Result at = MountpointCheck.inspect(given, apiSock);
        if (at.state() != MountpointCheck.State.FREE) {
            throw new StartupException("refusing to mount: " + at.describe());
        }
        if (at.mount().isPresent() && "erofs".equals(at.mount().get().fsType()) && apiSock.isPresent()) {
            Path sock = Path.of(apiSock.get());
            if (Files.exists(sock) && MountpointCheck.accepts(sock)) {
                throw new StartupException("refusing to mount: " + at.mountpoint() + " is already served by a running "
                        + "daemon (its API socket " + sock + " accepts connections); stop that daemon first");
            }
        }
        return at.mountpoint();
    }
}
