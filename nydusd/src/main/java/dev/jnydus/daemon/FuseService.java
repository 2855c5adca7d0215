package dev.jnydus.daemon;

import dev.jnydus.common.FsException;
import dev.jnydus.daemon.cli.FsDriver;
import dev.jnydus.fuse.api.FsOptions;
import dev.jnydus.fuse.server.Negotiated;
import dev.jnydus.fuse.server.RequestMetrics;
import dev.jnydus.fuse.server.Server;
import dev.jnydus.fuse.transport.dev.FuseSession;
import dev.jnydus.fuse.transport.dev.FuseWorkers;
import dev.jnydus.fuse.transport.dev.MountOptions;
import dev.jnydus.fuse.vfs.Vfs;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * nydusd's FUSE service: one FUSE session at the host mountpoint, the worker threads serving it,
 * and the namespace ({@link Vfs}) in which the {@link MountTable}'s images are attached. It carries
 * out the state machine's actions ({@link DaemonStateMachine.Actions}) and the mount table's
 * changes.
 *
 * <p>Shutdown never depends on fusectl: ending the session is a lazy unmount plus closing the
 * session descriptor once the workers are gone, which makes the kernel abort the connection (its
 * remaining users get ENOTCONN); a worker stuck in the filesystem keeps its own descriptor only
 * until the process exits.
 */
public final class FuseService implements DaemonStateMachine.Actions, FsService, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FuseService.class);
    /** How long stopping waits for workers to finish the requests in their hands. */
    static final Duration WORKER_STOP_TIMEOUT = Duration.ofSeconds(5);

    private final Path mountpoint;
    private final int threads;
    private final boolean writable;
    private final Vfs vfs;
    private final MountTable mounts = new MountTable();
    private final Consumer<String> onSessionEnd;
    private final RequestMetrics requestMetrics;
    private volatile FuseSession session;
    private volatile Server server;
    private volatile FuseWorkers workers;
    private volatile boolean stoppingWorkers;
    private volatile boolean leaveMount;
    private volatile Throwable workerFailure;
    private volatile long connectionId = -1;
    private volatile Restorer restorer;
    /** After a takeover: at Start, start the images and ask again for requests left in flight. */
    private volatile boolean tookOver;
    private volatile boolean resendOnStart;

    /**
     * @param mountpoint the host directory the FUSE session is mounted on
     * @param threads worker threads ({@code --fuse-threads})
     * @param onSessionEnd told (with a reason) when the workers end without being asked: the
     *     mount went away or a worker failed
     */
    public FuseService(Path mountpoint, int threads, boolean writable, Clock clock, RequestMetrics requestMetrics,
                       Consumer<String> onSessionEnd) {
        this.mountpoint = Objects.requireNonNull(mountpoint, "mountpoint");
        this.threads = threads;
        this.writable = writable;
        this.vfs = new Vfs(fuseOptions(writable), clock);
        this.requestMetrics = Objects.requireNonNull(requestMetrics, "requestMetrics");
        this.onSessionEnd = Objects.requireNonNull(onSessionEnd, "onSessionEnd");
    }

    /**
     * Upstream's INIT wishes, except that a read-only mount does not ask for WRITEBACK_CACHE: with
     * it the kernel invalidates st_blocks on every close (fuse_flush), so each stat after a read
     * costs a GETATTR round trip; nothing is ever written back on a read-only mount anyway. A
     * read-only mount offers POSIX_ACL, which the namespace keeps only when every image attached
     * at mount has no xattrs ({@code Vfs#init}): the kernel then caches "no ACL" instead of asking.
     */
    static FsOptions fuseOptions(boolean writable) {
        return writable ? FsOptions.UPSTREAM_DEFAULTS
                : FsOptions.UPSTREAM_DEFAULTS.without(FsOptions.WRITEBACK_CACHE).with(FsOptions.POSIX_ACL);
    }

    public Path mountpoint() {
        return mountpoint;
    }

    public Vfs vfs() {
        return vfs;
    }

    @Override
    public MountTable mounts() {
        return mounts;
    }

    @Override
    public FsDriver fsDriver() {
        return FsDriver.FUSEDEV;
    }

    @Override
    public boolean sessionInitialized() {
        Server s = server;
        return s != null && s.isInitialized();
    }

    /** The FUSE server once the service started, for the in-flight and INIT state. */
    public Server server() {
        return server;
    }

    /**
     * Attaches {@code image} at {@code path} in the namespace and records it in the mount table,
     * which owns it from then on.
     */
    public void attach(String path, MountCommand command, MountedImage image) throws DaemonException {
        attach(path, command, image, 0);
    }

    /**
     * Attaches {@code image} at {@code path} with the namespace index a predecessor gave it
     * ({@code index} 0: the next free one), and records it in the mount table.
     */
    void attach(String path, MountCommand command, MountedImage image, int index) throws DaemonException {
        MountedImage.FuseBackend b = image.fuseBackend().orElseThrow(() -> DaemonException.unsupported(
                "a " + image.kind() + " mount cannot be served through FUSE"));
        int at;
        try {
            at = index == 0 ? vfs.attach(path, b.fs(), b.rootIno()) : vfs.attachAt(path, b.fs(), b.rootIno(), index);
        } catch (FsException e) {
            throw DaemonException.other("cannot attach " + path + ": " + e.getMessage(), e);
        }
        mounts.put(new MountTable.Entry(path, command, image, Instant.now(), at));
    }

    /**
     * {@code POST /api/v1/mount}: opens the image and attaches it at {@code path}; the image starts
     * (prefetch) once attached. Upstream's errors: the path is taken → "already exists".
     */
    @Override
    public synchronized void mount(String path, MountCommand command, ImageOpener opener) throws DaemonException {
        if (mounts.get(path).isPresent()) {
            throw DaemonException.other("object or filesystem already exists: " + path);
        }
        openAndAttach(path, command, opener).started();
        LOG.info("{} filesystem mounted at {}", command.fsType(), path);
    }

    /**
     * {@code PUT /api/v1/mount}: replaces the image at {@code path} with a new one made from
     * {@code command} (new bootstrap or configuration). The new image gets new node ids, so what
     * the kernel cached of the old one can only fail (ENOENT), never read the new one's bytes under
     * the old inode numbers; the kernel is told to drop its cached entry of the path.
     */
    @Override
    public synchronized void remount(String path, MountCommand command, ImageOpener opener) throws DaemonException {
        MountTable.Entry old = mounts.get(path).orElseThrow(
                () -> DaemonException.other("object or filesystem doesn't exist: " + path));
        if (old.kind() != MountKind.RAFS_FUSE) {
            throw DaemonException.other("filesystem type mismatch, expect RAFS at " + path);
        }
        MountedImage image = openAndAttach(path, command, opener);
        invalidate(path);
        old.image().close();
        image.started();
        LOG.info("{} filesystem remounted at {}", command.fsType(), path);
    }

    /** Opens the image and attaches it; an image that cannot be attached is closed again. */
    private MountedImage openAndAttach(String path, MountCommand command, ImageOpener opener) throws DaemonException {
        MountedImage image = opener.open(path, command);
        try {
            attach(path, command, image);
        } catch (DaemonException | RuntimeException e) {
            image.close();
            throw e;
        }
        return image;
    }

    /** {@code DELETE /api/v1/mount}: detaches and closes the image at {@code path}. */
    @Override
    public synchronized void umount(String path) throws DaemonException {
        MountTable.Entry e = mounts.get(path).orElseThrow(
                () -> DaemonException.other("object or filesystem doesn't exist: " + path));
        try {
            vfs.detach(path);
        } catch (FsException ex) {
            throw DaemonException.other("cannot detach " + path + ": " + ex.getMessage(), ex);
        }
        mounts.remove(path);
        invalidate(path);
        e.image().close();
        LOG.info("filesystem unmounted from {}", path);
    }

    /** Asks the kernel to forget its cached dentry of {@code path} (a FUSE notification). */
    private void invalidate(String path) {
        FuseSession s = session;
        Server srv = server;
        if (s == null || srv == null || !srv.isInitialized()) {
            return;
        }
        try {
            FuseNotifications.invalidatePath(s, vfs, path);
        } catch (IOException | RuntimeException ex) {
            LOG.debug("invalidating the kernel's entry of {} failed: {}", path, ex.toString());
        }
    }

    /** Tells every mounted image that the mount is served (starts their prefetch). */
    public void mountsStarted() {
        for (MountTable.Entry e : mounts.entries()) {
            e.image().started();
        }
    }

    /** Mounts the FUSE session (the caller then fires {@link DaemonEvent#MOUNT}). */
    public void mountSession() throws IOException {
        if (session != null) {
            throw new IllegalStateException("already mounted");
        }
        session = FuseSession.mount(MountOptions.builder(mountpoint).readOnly(!writable).build());
        connectionId = session.connectionId().orElse(-1);
    }

    /**
     * Serves the connection of a predecessor: its session descriptor, the id fusectl knows it by,
     * and what its INIT settled. The mount is this daemon's to unmount from now on.
     */
    void adoptSession(FuseSession adopted, long connId, Negotiated negotiated) {
        if (session != null) {
            throw new IllegalStateException("a session exists already");
        }
        session = adopted;
        connectionId = connId;
        server = Server.builder(vfs).metrics(requestMetrics).resumed(negotiated).build();
        tookOver = true;
    }

    /** Asks for the requests left in flight once more when the workers start (policy resend). */
    void requestResendOnStart() {
        resendOnStart = true;
    }

    /** The session, once mounted or adopted; null before and after. */
    FuseSession session() {
        return session;
    }

    /** The connection's id in fusectl, or -1 when not known. */
    long connectionId() {
        return connectionId;
    }

    /** What carries out a takeover ({@link DaemonEvent#TAKEOVER}); without one it fails as upstream's. */
    interface Restorer {
        void restore() throws DaemonException;
    }

    /** Set before the state machine runs. */
    void restorer(Restorer r) {
        this.restorer = r;
    }

    /**
     * Undoes a takeover that failed half-way: closes every image attached and forgets the
     * namespace's layout, so that the daemon is as it was in INIT.
     */
    void discardMounts() {
        for (MountTable.Entry e : mounts.entries()) {
            try {
                vfs.detach(e.mountpoint());
            } catch (FsException ex) {
                LOG.debug("detaching {}: {}", e.mountpoint(), ex.getMessage());
            }
            mounts.remove(e.mountpoint());
            e.image().close();
        }
        try {
            vfs.resetLayout();
        } catch (FsException ex) {
            LOG.warn("cannot reset the namespace: {}", ex.getMessage());
        }
    }

    /** Asks {@link #close} to leave the mount to a successor (after {@code PUT /api/v1/daemon/exit}). */
    @Override
    public void leaveMountToSuccessor() {
        leaveMount = true;
    }

    /** The first unexpected worker failure, or null. */
    public Throwable workerFailure() {
        return workerFailure;
    }

    @Override
    public void restore() throws DaemonException {
        Restorer r = restorer;
        if (r == null) {
            // Without a supervisor there is nothing to restore from, which is upstream's answer too.
            throw new DaemonException(DaemonException.Kind.UPGRADE_MANAGER,
                    "failed to upgrade nydusd daemon, missing supervisor path");
        }
        r.restore();
    }

    @Override
    public void startService() throws IOException {
        FuseSession s = session;
        if (s == null) {
            throw new IllegalStateException("no FUSE session to serve");
        }
        if (server == null) {
            server = Server.builder(vfs).metrics(requestMetrics).build();
        }
        stoppingWorkers = false;
        FuseWorkers w = FuseWorkers.start(s, server, threads);
        workers = w;
        w.termination().whenComplete((ok, failure) -> {
            if (stoppingWorkers) {
                return;
            }
            if (failure != null) {
                workerFailure = failure;
                onSessionEnd.accept("a FUSE worker failed: " + failure);
            } else {
                LOG.info("FUSE session on {} ended", mountpoint);
                onSessionEnd.accept("the FUSE session ended");
            }
        });
        LOG.info("nydusd is serving {} with {} workers", mountpoint, threads);
        if (tookOver) {
            tookOver = false;
            mountsStarted();
        }
        if (resendOnStart) {
            // Requests the predecessor (another process, or workers of this one that were
            // stopped) read and never answered are in no one's hands now: queue them again.
            resendOnStart = false;
            try {
                s.notifyResend();
            } catch (FsException e) {
                LOG.warn("asking the kernel to resend requests left in flight failed: {}", e.getMessage());
            }
        }
    }

    @Override
    public void terminateService() throws InterruptedException {
        stopWorkers();
    }

    @Override
    public void umount() throws FsException, InterruptedException {
        FuseSession s = session;
        if (s != null) {
            s.unmount();
        }
        stopWorkers();
        closeSession("aborting the connection");
    }

    private void stopWorkers() throws InterruptedException {
        FuseWorkers w = workers;
        if (w == null) {
            return;
        }
        stoppingWorkers = true;
        // What the stopped workers took and could not answer in time stays with the session's
        // file (they read from duplicates of it): whoever starts workers again must have it resent.
        resendOnStart = true;
        w.stop();
        if (!w.awaitTermination(WORKER_STOP_TIMEOUT)) {
            // A worker stuck in the filesystem (a hung backend) stops reading new requests and
            // exits once its request ends; the process need not wait for it.
            LOG.warn("FUSE workers still busy after {} ms; leaving them", WORKER_STOP_TIMEOUT.toMillis());
        }
        workers = null;
    }

    private void closeSession(String why) {
        FuseSession s = session;
        if (s == null) {
            return;
        }
        session = null;
        LOG.info("closing the FUSE session on {}: {}", mountpoint, why);
        try {
            s.close();
        } catch (FsException e) {
            LOG.warn("closing the FUSE session on {} failed: {}", mountpoint, e.getMessage());
        }
    }

    /** Detaches the mount now, whatever else is going on (the shutdown watchdog's last resort). */
    public void forceUnmount() {
        FuseSession s = session;
        if (s != null && !leaveMount) {
            try {
                s.unmount();
            } catch (FsException e) {
                LOG.warn("unmounting {} failed: {}", mountpoint, e.getMessage());
            }
        }
    }

    /** Is the session mounted (or handed over) and not yet closed? */
    public boolean hasSession() {
        return session != null;
    }

    /**
     * Releases everything: the workers, the session (unmounted unless it was left to a successor)
     * and every image of the mount table. Safe after any failure of start-up.
     */
    @Override
    public void close() {
        try {
            stopWorkers();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        FuseSession s = session;
        if (s != null) {
            if (leaveMount) {
                session = null;
                s.closeKeepingMount();
                LOG.info("left the FUSE mount at {} to a successor", mountpoint);
            } else {
                try {
                    s.unmount();
                } catch (FsException e) {
                    LOG.warn("unmounting {} failed: {}", mountpoint, e.getMessage());
                }
                closeSession("shutting down");
            }
        }
        for (MountTable.Entry e : mounts.entries()) {
            mounts.remove(e.mountpoint());
            e.image().close();
        }
    }
}
