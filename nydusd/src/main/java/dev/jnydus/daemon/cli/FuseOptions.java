package dev.jnydus.daemon.cli;

import java.util.Objects;

/**
 * FUSE server options (spec 1.3).
 *
 * @param mountpoint host directory to mount at, as given (canonicalised when mounting)
 * @param fuseThreads FUSE worker threads, 1..=1024
 * @param writable mount read-write (default read-only)
 */
public record FuseOptions(String mountpoint, FailoverPolicy failoverPolicy, int fuseThreads,
                          boolean writable) {
    public static final int DEFAULT_THREADS = 4;

    public FuseOptions {
        Objects.requireNonNull(mountpoint, "mountpoint");
        Objects.requireNonNull(failoverPolicy, "failoverPolicy");
    }
}
