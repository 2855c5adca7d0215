package dev.jnydus.daemon;

/**
 * What serves a mount in the {@link MountTable}: the kernel interface and the filesystem behind
 * it. Every kind is mounted, remounted, unmounted, listed and saved for a takeover the same way;
 * a new driver (the fanotify pre-content driver of EROFS file-backed mounts, for one) adds a
 * kind here and a {@link MountedImage} implementation.
 */
public enum MountKind {
    /** A RAFS image attached to the daemon's FUSE namespace ({@code fs_type} "rafs"). */
    RAFS_FUSE("Rafs", "fusedev"),
    /**
     * A RAFS v6 image mounted by the kernel's EROFS driver over the blob cache, filled on fanotify
     * pre-content events ({@code --fs-driver fanotify}).
     */
    RAFS_FANOTIFY("Rafs", "fanotify");

    private final String backendType;
    private final String fsDriver;

    MountKind(String backendType, String fsDriver) {
        this.backendType = backendType;
        this.fsDriver = fsDriver;
    }

    /** The kernel interface serving it, in the snapshotter's words ({@code fs_driver}). */
    public String fsDriver() {
        return fsDriver;
    }

    /** {@code backend_type} in {@code GET /api/v1/daemon}'s {@code backend_collection}. */
    public String backendType() {
        return backendType;
    }
}
