package dev.jnydus.daemon;

import dev.jnydus.daemon.cli.FsDriver;

/**
 * The filesystem service of a daemon as the API sees it, whichever kernel interface serves the
 * mounts: {@link FuseService} ({@code --fs-driver fusedev}) or {@link FanotifyService}
 * ({@code --fs-driver fanotify}). A driver that cannot carry out a request refuses it with a
 * {@link DaemonException} naming why.
 */
public interface FsService {
    /** The driver serving the mounts, as {@code GET /api/v1/daemon} reports it. */
    FsDriver fsDriver();

    MountTable mounts();

    /** Whether the kernel session is up (FUSE: INIT answered; fanotify: the image is mounted). */
    boolean sessionInitialized();

    /** {@code POST /api/v1/mount}. */
    void mount(String path, MountCommand command, ImageOpener opener) throws DaemonException;

    /** {@code PUT /api/v1/mount}. */
    void remount(String path, MountCommand command, ImageOpener opener) throws DaemonException;

    /** {@code DELETE /api/v1/mount}. */
    void umount(String path) throws DaemonException;

    /** After {@code PUT /api/v1/daemon/exit}: what to do with the kernel mount when closing. */
    void leaveMountToSuccessor();
}
