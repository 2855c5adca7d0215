package dev.jnydus.daemon.cli;

import java.util.Objects;
import java.util.Optional;

/**
 * Startup filesystem options (spec 1.4), accepted at top level, by {@code fuse} and by
 * {@code virtiofs}.
 *
 * @param bootstrap RAFS metadata file to mount at startup
 * @param localfsDir shortcut for a localfs backend plus blobcache in that directory
 * @param sharedDir passthrough export (not supported yet; rejected at startup)
 * @param prefetchFiles file listing paths to prefetch, one per line
 * @param virtualMountpoint where the startup filesystem is attached inside the FUSE namespace
 * @param dedupDb chunk de-duplication database; upstream declares it here, not globally
 */
public record FsOptions(Optional<String> bootstrap, Optional<String> localfsDir,
                        Optional<String> sharedDir, Optional<String> prefetchFiles,
                        String virtualMountpoint, Optional<String> dedupDb) {
    public static final String DEFAULT_VIRTUAL_MOUNTPOINT = "/";

    public FsOptions {
        Objects.requireNonNull(bootstrap, "bootstrap");
        Objects.requireNonNull(localfsDir, "localfsDir");
        Objects.requireNonNull(sharedDir, "sharedDir");
        Objects.requireNonNull(prefetchFiles, "prefetchFiles");
        Objects.requireNonNull(virtualMountpoint, "virtualMountpoint");
        Objects.requireNonNull(dedupDb, "dedupDb");
    }
}
