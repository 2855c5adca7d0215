package dev.jnydus.daemon.cli;

import dev.jnydus.config.BlobCacheEntry;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything the daemon needs to start, with every file named on the command line already read
 * and validated.
 *
 * @param args the parsed command line
 * @param startupMount for FUSE with --bootstrap: the RAFS instance to mount; empty for an
 *     API-driven ("shared") daemon, the singleton, or when --upgrade is given (still resolved)
 * @param singletonBlobs for singleton: the blob cache entries listed in --config
 */
public record StartupPlan(DaemonArgs args, Optional<RafsMount> startupMount, List<BlobCacheEntry> singletonBlobs) {
    public StartupPlan {
        Objects.requireNonNull(args, "args");
        Objects.requireNonNull(startupMount, "startupMount");
        singletonBlobs = List.copyOf(singletonBlobs);
    }
}
