package dev.jnydus.daemon;

import dev.jnydus.common.FsException;
import dev.jnydus.fuse.api.FileSystem;
import dev.jnydus.fuse.server.Server;
import dev.jnydus.fuse.transport.dev.FuseSession;
import dev.jnydus.fuse.transport.dev.FuseWorkers;
import dev.jnydus.fuse.transport.dev.MountOptions;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A FUSE mount served by worker threads: the lifecycle the daemon's state machine (the API issue)
 * will drive. {@link #start} mounts and starts the workers; the daemon then runs until the session
 * ends, because of {@link #stop} or because someone unmounted it.
 *
 * <p>Stopping: the mount is detached at once (new opens fail, the mountpoint is free), requests
 * already in the workers' hands are answered, and once open files are closed the kernel ends the
 * connection. Files still open after {@code grace} are cut off: the workers are woken and the
 * device descriptors closed, which aborts the connection, so their users get ENOTCONN instead of
 * waiting on a daemon that is going away. A crash (SIGKILL) closes the descriptors the same way.
 */
public final class FuseDaemon implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FuseDaemon.class);

    private final FuseSession session;
    private final FuseWorkers workers;
    private final Duration grace;
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();

    private FuseDaemon(FuseSession session, FuseWorkers workers, Duration grace) {
        this.session = session;
        this.workers = workers;
        this.grace = grace;
    }

    /**
     * Mounts {@code fs} at {@code mountpoint} and starts {@code threads} workers.
     *
     * @param readOnly mount with MS_RDONLY (nydusd without {@code --writable})
     * @param grace how long {@link #stop} lets open files finish before cutting them off
     */
    public static FuseDaemon start(Path mountpoint, FileSystem fs, int threads, boolean readOnly, Duration grace)
            throws IOException {
        Server server = Server.builder(fs).build();
        FuseSession session = FuseSession.mount(MountOptions.builder(mountpoint).readOnly(readOnly).build());
        try {
            FuseWorkers workers = FuseWorkers.start(session, server, threads);
            return new FuseDaemon(session, workers, grace);
        } catch (IOException | RuntimeException e) {
            session.close();
            throw e;
        }
    }

    public Path mountpoint() {
        return session.mountpoint();
    }

    public boolean isRunning() {
        return workers.isRunning();
    }

    /**
     * Asks the daemon to stop: detaches the mount, then (on a helper thread, so that a signal
     * handler returns at once) cuts off what is left after the grace period. Idempotent.
     */
    public void stop() {
        if (!stopping.compareAndSet(false, true)) {
            return;
        }
        LOG.info("stopping: unmounting {}", session.mountpoint());
        unmount();
        Thread cutoff = new Thread(() -> {
            try {
                if (!workers.awaitTermination(grace)) {
                    LOG.info("files still open on {} after {} ms; aborting the connection", session.mountpoint(),
                            grace.toMillis());
                    workers.stop();
                    workers.awaitTermination(Duration.ofSeconds(10));
                    closeSession();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "fuse-stop");
        cutoff.setDaemon(true);
        cutoff.start();
    }

    /** Waits until every worker has exited (the session ended); false on timeout. */
    public boolean awaitTermination(Duration timeout) throws InterruptedException {
        return workers.awaitTermination(timeout);
    }

    /** Blocks until the session ends. */
    public void awaitTermination() throws InterruptedException {
        while (!workers.awaitTermination(Duration.ofDays(1))) {
            LOG.debug("still serving {}", session.mountpoint());
        }
    }

    /** The first unexpected worker failure, or {@code null}. */
    public Throwable failure() {
        return workers.failure();
    }

    /** Stops the workers if they still run, unmounts if still mounted and closes the session. */
    @Override
    public void close() {
        if (workers.isRunning()) {
            stopping.set(true);
            unmount();
            workers.close();
        }
        closeSession();
    }

    /** Detaches the mount; a failure (say, someone unmounted it already) is only logged. */
    private void unmount() {
        try {
            session.unmount();
        } catch (FsException e) {
            LOG.warn("unmounting {} failed: {}", session.mountpoint(), e.getMessage());
        }
    }

    private void closeSession() {
        if (closed.compareAndSet(false, true)) {
            try {
                session.close();
            } catch (FsException e) {
                LOG.warn("closing the FUSE session failed: {}", e.getMessage());
            }
        }
    }
}
