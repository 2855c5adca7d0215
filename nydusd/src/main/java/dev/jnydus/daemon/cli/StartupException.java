package dev.jnydus.daemon.cli;

/**
 * The daemon cannot start (unreadable config, missing --config/--localfs-dir, unsupported mode).
 * Reported as upstream's {@code main} does: one {@code Error: ...} line on stderr, exit status 1.
 */
public final class StartupException extends Exception {
    private static final long serialVersionUID = 1L;

    public StartupException(String message) {
        super(message);
    }

    public StartupException(String message, Throwable cause) {
        super(message, cause);
    }
}
