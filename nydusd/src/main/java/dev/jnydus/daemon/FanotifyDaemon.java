package dev.jnydus.daemon;

import dev.jnydus.daemon.cli.FsDriver;
import dev.jnydus.daemon.cli.RafsMount;
import dev.jnydus.daemon.cli.Service;
import dev.jnydus.daemon.cli.StartupException;
import dev.jnydus.daemon.cli.StartupPlan;
import dev.jnydus.daemon.cli.StopSignals;
import dev.jnydus.fscache.fanotify.FanotifyMount;
import dev.jnydus.sys.Sys;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code nydusd --fs-driver fanotify}: the startup image mounted by the kernel's EROFS driver over
 * the blob cache, filled on fanotify pre-content events ({@link FanotifyMount}). Runs until SIGTERM
 * or SIGINT ({@link StopSignals}), then unmounts (waiting while the mount is busy: closing the
 * fanotify group while it is mounted would let readers see holes as zeros) and exits 0.
 *
 * <p>A daemon restarted after a crash finds its predecessor's mount at the mountpoint and serves
 * it again. Not yet served: the HTTP API ({@code --apisock}) and hot upgrade; {@link FanotifyMount}
 * has the handover for them.
 */
final class FanotifyDaemon {
    private static final Logger LOG = LoggerFactory.getLogger(FanotifyDaemon.class);
    /** Fill workers at least: each holds one reader's event while its chunks are fetched. */
    static final int MIN_FILL_THREADS = 16;

    private FanotifyDaemon() {
    }

    static void run(StartupPlan plan, Service.Fuse fuse, Path mountpoint, KernelFeatures features, StopSignals stop)
            throws Exception {
        RafsMount startup = plan.startupMount().orElseThrow(() -> new StartupException(
                "--fs-driver fanotify mounts the image given with --bootstrap; none was given"));
        if (fuse.fuse().writable()) {
            throw new StartupException("--writable cannot be used with --fs-driver fanotify: EROFS mounts are read-only");
        }
        features.require(FsDriver.FANOTIFY);
        FanotifyInstance instance = FanotifyInstance.open(startup, Sys.geteuid(), Sys.getegid());
        if (stop.isRequested()) {
            instance.close();
            return;
        }
        FanotifyMount mount;
        try {
            mount = FanotifyMount.builder(Path.of(startup.bootstrap()), instance.device(), mountpoint)
                    .readableChunks(instance.readableChunks())
                    .threads(Math.max(MIN_FILL_THREADS, fuse.fuse().fuseThreads()))
                    .ioThreads(instance.ioThreads())
                    .start();
        } catch (IOException | RuntimeException e) {
            instance.close();
            throw new StartupException("failed to mount " + mountpoint + ": " + e.getMessage(), e);
        }
        try {
            // Signals are caught from the start of main (StopSignals): one arriving while the
            // mount was being made is acted on here, with the mount unmounted before the group
            // closes.
            mount.failure().thenAccept(t -> stop.request("a serving failure"));
            if (!stop.isRequested()) {
                instance.startPrefetch();
                LOG.info("nydusd is serving {} with fs driver fanotify (RUNNING)", mountpoint);
                stop.requested().get();
            }
            LOG.info("stopping ({})", stop.source().orElse("?"));
        } catch (ExecutionException e) {
            throw new IOException(e.getCause());
        } finally {
            mount.close();
            instance.close();
        }
        Throwable failure = mount.failure().getNow(null);
        if (failure != null) {
            throw new IOException("fanotify serving failed: " + failure, failure);
        }
    }
}
