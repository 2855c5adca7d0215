package dev.jnydus.daemon;

/**
 * What serves a mount in the {@link MountTable}: the kernel interface and the filesystem behind
 * it. Every kind is mounted, remounted, unmounted, listed and saved for a takeover the same way;
 * a new driver (the fanotify pre-content driver of EROFS file-backed mounts, for one) adds a
 * kind here and a {@link MountedImage} implementation.
 */
public enum MountKind {
    /** A RAFS image attached to the daemon's FUSE namespace ({@code fs_type} "rafs"). */
    RAFS_FUSE("Rafs");

    private final String backendType;

    MountKind(String backendType) {
        this.backendType = backendType;
    }

    /** {@code backend_type} in {@code GET /api/v1/daemon}'s {@code backend_collection}. */
    public String backendType() {
        return backendType;
    }
}
