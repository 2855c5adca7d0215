package dev.jnydus.daemon.cli;

import java.util.Optional;

/** Installs the process's logging from {@code --log-level}, {@code --log-file} and rotation. */
@FunctionalInterface
public interface LogConfigurer {
    /**
     * @param logFile the {@code --log-file} argument; empty logs to stderr
     * @param rotationSizeMib rotate at this size, 0 = never
     */
    void configure(LogLevel level, Optional<String> logFile, long rotationSizeMib) throws StartupException;

    /**
     * Changes the level at run time ({@code PUT /api/v1/daemon}): {@code off} or a
     * {@link LogLevel} name, in any case.
     *
     * @throws IllegalArgumentException for any other value
     */
    default void setLevel(String level) {
        throw new UnsupportedOperationException("this logging setup cannot change its level");
    }
}
