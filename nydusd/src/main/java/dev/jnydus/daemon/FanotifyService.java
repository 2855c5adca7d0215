package dev.jnydus.daemon;

import dev.jnydus.daemon.cli.FsDriver;
import dev.jnydus.daemon.cli.StartupException;
import dev.jnydus.fscache.fanotify.FanotifyMount;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Objects;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * nydusd's fanotify service ({@code --fs-driver fanotify}): the startup image mounted by the
 * kernel's EROFS driver over the blob cache ({@link FanotifyMount}), recorded in the daemon's
 * {@link MountTable} and driven by the same {@link DaemonStateMachine} as the FUSE service.
 *
 * <p>The mapping of the machine's actions differs from FUSE in one way: the event loop serves from
 * before the mount exists until after it is gone, because the kernel consults the marks at every
 * read and a reader whose event nobody answers waits forever. So Start only records that the
 * mount is served, Stop while RUNNING leaves the loop answering (the kernel mount is still there)
 * and Stop while READY unmounts, serving events until the mount is gone, then closes the group.
 *
 * <p>What this driver does not do (yet): mounts through the API (one image per daemon: the one
 * given at start), and leaving the kernel mount to a successor ({@code PUT /api/v1/daemon/exit}):
 * with no successor holding the fanotify group, reads of unfilled ranges would see zeros, so the
 * mount is unmounted at exit as at stop.
 */
final class FanotifyService implements DaemonStateMachine.Actions, FsService, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FanotifyService.class);
    static final String NO_API_MOUNTS = "the API's mount endpoint does not support --fs-driver fanotify: this daemon "
            + "serves the one image given with --bootstrap; start another nydusd with --fs-driver fanotify for "
            + "another image";

    private final Path mountpoint;
    private final int threads;
    private final Consumer<String> onFailure;
    private final MountTable mounts = new MountTable();
    private volatile FanotifyInstance image;
    private volatile FanotifyMount mount;

    /**
     * @param mountpoint the host directory the EROFS mount goes on
     * @param threads fill workers
     * @param onFailure told (with a reason) when serving fails: the daemon then stops
     */
    FanotifyService(Path mountpoint, int threads, Consumer<String> onFailure) {
        this.mountpoint = Objects.requireNonNull(mountpoint, "mountpoint");
        this.threads = threads;
        this.onFailure = Objects.requireNonNull(onFailure, "onFailure");
    }

    /** Records the image at {@code path}; the mount table owns it from then on. */
    void attach(String path, MountCommand command, FanotifyInstance instance) {
        if (image != null) {
            throw new IllegalStateException("the fanotify service serves one image");
        }
        image = instance;
        mounts.put(new MountTable.Entry(path, command, instance, Instant.now(), -1));
    }

    /**
     * Marks the image's cache files, starts the event loop and mounts (or adopts a predecessor's
     * mount); the caller then fires {@link DaemonEvent#MOUNT}.
     */
    void mountImage() throws IOException, InterruptedException, StartupException {
        FanotifyInstance i = image;
        if (i == null || mount != null) {
            throw new IllegalStateException(i == null ? "no image to mount" : "already mounted");
        }
        MountTable.Entry e = mounts.entries().get(0);
        FanotifyMount m = FanotifyMount.builder(Path.of(e.command().source()), i.device(), mountpoint)
                .readableChunks(i.readableChunks())
                .threads(threads)
                .ioThreads(i.ioThreads())
                .start();
        mount = m;
        i.servedBy(m);
        m.failure().thenAccept(t -> onFailure.accept("a serving failure: " + t));
    }

    /** The serving failure that stopped the daemon, or null. */
    Throwable failure() {
        FanotifyMount m = mount;
        return m == null ? null : m.failure().getNow(null);
    }

    @Override
    public FsDriver fsDriver() {
        return FsDriver.FANOTIFY;
    }

    @Override
    public MountTable mounts() {
        return mounts;
    }

    @Override
    public boolean sessionInitialized() {
        return mount != null;
    }

    @Override
    public void mount(String path, MountCommand command, ImageOpener opener) throws DaemonException {
        throw DaemonException.unsupported(NO_API_MOUNTS);
    }

    @Override
    public void remount(String path, MountCommand command, ImageOpener opener) throws DaemonException {
        throw DaemonException.unsupported(NO_API_MOUNTS);
    }

    @Override
    public void umount(String path) throws DaemonException {
        throw DaemonException.unsupported(NO_API_MOUNTS);
    }

    @Override
    public void leaveMountToSuccessor() {
        LOG.warn("exit requested: --fs-driver fanotify cannot leave its mount to a successor yet (without a holder "
                + "of the fanotify group unfilled ranges would read as zeros); {} is unmounted instead", mountpoint);
    }

    /** Tells the image that its mount is served (starts the mount-time prefetch). */
    void mountsStarted() {
        for (MountTable.Entry e : mounts.entries()) {
            e.image().started();
        }
    }

    @Override
    public void restore() throws DaemonException {
        throw new DaemonException(DaemonException.Kind.UPGRADE_MANAGER,
                "failed to upgrade nydusd daemon, missing supervisor path");
    }

    @Override
    public void startService() {
        if (mount == null) {
            throw new IllegalStateException("no fanotify mount to serve");
        }
        LOG.info("nydusd is serving {} with {} fill workers", mountpoint, threads);
    }

    @Override
    public void terminateService() {
        // The loop keeps answering: the kernel mount is still there, and a reader whose event went
        // unanswered would wait forever. Umount (the next Stop) ends both.
    }

    @Override
    public void umount() throws InterruptedException {
        closeMount();
    }

    private void closeMount() throws InterruptedException {
        FanotifyMount m = mount;
        if (m != null) {
            m.close();
        }
    }

    /** Unmounts (serving until the mount is gone), then closes every image. Safe after any failure. */
    @Override
    public void close() {
        try {
            closeMount();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (MountTable.Entry e : mounts.entries()) {
            mounts.remove(e.mountpoint());
            e.image().close();
        }
    }
}
