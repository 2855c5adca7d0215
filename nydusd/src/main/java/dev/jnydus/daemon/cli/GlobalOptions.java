package dev.jnydus.daemon.cli;

import java.util.Objects;
import java.util.Optional;

/**
 * Options accepted before or after any subcommand (spec 1.2).
 *
 * @param apiSock Unix socket of the HTTP admin API; none means no API server
 * @param config configuration file: a RAFS config for FUSE (read only with --bootstrap), a blob
 *     list for singleton
 * @param id daemon instance id; present iff {@code supervisor} is
 * @param supervisor supervisor socket for state save/restore
 * @param logFile log file as given (see {@link LogFiles#resolve} for the real path)
 * @param logRotationSizeMib rotate the log file at this size, 0 = never
 * @param rlimitNofile requested RLIMIT_NOFILE, 0 = leave unchanged (see {@link RlimitPolicy})
 * @param upgrade start in upgrade mode: mount nothing, wait for takeover
 */
public record GlobalOptions(Optional<String> apiSock, Optional<String> config, Optional<String> id,
                            Optional<String> supervisor, LogLevel logLevel, Optional<String> logFile,
                            long logRotationSizeMib, long rlimitNofile, boolean upgrade) {
    public static final long DEFAULT_RLIMIT_NOFILE = 1_000_000;

    public GlobalOptions {
        Objects.requireNonNull(apiSock, "apiSock");
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(supervisor, "supervisor");
        Objects.requireNonNull(logLevel, "logLevel");
        Objects.requireNonNull(logFile, "logFile");
    }
}
