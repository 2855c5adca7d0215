package dev.jnydus.daemon.cli;

/**
 * The command line is malformed (unknown option, bad value, conflict, missing requirement).
 * Reported as clap does: {@code error: ...} on stderr and exit status 2.
 */
public final class UsageException extends Exception {
    private static final long serialVersionUID = 1L;

    public UsageException(String message) {
        super(message);
    }
}
