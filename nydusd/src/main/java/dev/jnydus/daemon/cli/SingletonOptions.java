package dev.jnydus.daemon.cli;

import java.util.Objects;
import java.util.Optional;

/**
 * {@code singleton} options (spec 1.6). Without {@code fscacheDir} the singleton only hosts the
 * blob cache manager of {@code /api/v2/blobs}.
 *
 * @param fscacheDir cachefiles cache root; enables the fscache service
 * @param fscacheTag cachefiles tag; only with {@code fscacheDir}
 * @param fscacheThreads fscache worker threads, 1..=1024
 */
public record SingletonOptions(Optional<String> fscacheDir, Optional<String> fscacheTag,
                               int fscacheThreads) {
    public static final int DEFAULT_THREADS = 4;

    public SingletonOptions {
        Objects.requireNonNull(fscacheDir, "fscacheDir");
        Objects.requireNonNull(fscacheTag, "fscacheTag");
    }
}
