package dev.jnydus.daemon.cli;

import java.util.Objects;

/**
 * FUSE server options (spec 1.3).
 *
 * @param mountpoint host directory to mount at, as given (canonicalised when mounting)
 * @param fuseThreads FUSE worker threads, 1..=1024
 * @param writable mount read-write (default read-only)
 * @param fsDriver how the image is mounted ({@code --fs-driver}, default fusedev)
 */
public record FuseOptions(String mountpoint, FailoverPolicy failoverPolicy, int fuseThreads,
                          boolean writable, FsDriver fsDriver) {
    public static final int DEFAULT_THREADS = 4;

    public FuseOptions {
        Objects.requireNonNull(mountpoint, "mountpoint");
        Objects.requireNonNull(failoverPolicy, "failoverPolicy");
        Objects.requireNonNull(fsDriver, "fsDriver");
    }

    /** FUSE options with the default driver, fusedev. */
    public FuseOptions(String mountpoint, FailoverPolicy failoverPolicy, int fuseThreads, boolean writable) {
        this(mountpoint, failoverPolicy, fuseThreads, writable, FsDriver.FUSEDEV);
    }
}
