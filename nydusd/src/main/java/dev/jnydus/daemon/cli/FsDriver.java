package dev.jnydus.daemon.cli;

import java.util.Locale;

/**
 * {@code --fs-driver}: how the image reaches the kernel, with the names nydus-snapshotter uses for
 * its modes.
 */
public enum FsDriver {
    /** A FUSE filesystem served over {@code /dev/fuse} (the default). */
    FUSEDEV,
    /**
     * The kernel's EROFS driver over the blob cache's data files, filled on fanotify pre-content
     * events (Linux 6.14+).
     */
    FANOTIFY;

    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
