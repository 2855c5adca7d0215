package dev.jnydus.daemon;

/** Opens the image a mount command names (the RAFS instance of {@code fs_type} "rafs"). */
@FunctionalInterface
public interface ImageOpener {
    /**
     * @param mountpoint where it will be attached (the id of its metrics)
     * @throws DaemonException with a message naming what is wrong (bad config, bootstrap, type)
     */
    MountedImage open(String mountpoint, MountCommand command) throws DaemonException;
}
