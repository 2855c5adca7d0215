package dev.jnydus.daemon.cli;

import java.util.Objects;

/**
 * What the process sets up before the daemon starts and the daemon uses while it runs.
 *
 * @param stop stop requests (SIGTERM, SIGINT) caught since {@code main} began
 * @param logs the logging set up from the command line, for run-time level changes
 * @param errors the ERROR-level lines logged, for {@code GET /api/v1/daemon/events}
 */
public record LaunchContext(StopSignals stop, LogConfigurer logs, ErrorEvents errors) {
    public LaunchContext {
        Objects.requireNonNull(stop, "stop");
        Objects.requireNonNull(logs, "logs");
        Objects.requireNonNull(errors, "errors");
    }
}
