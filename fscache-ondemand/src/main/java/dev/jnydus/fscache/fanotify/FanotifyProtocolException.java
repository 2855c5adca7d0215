package dev.jnydus.fscache.fanotify;

/** The group handed over bytes this code cannot read as events (a metadata version it does not know). */
final class FanotifyProtocolException extends Exception {
    private static final long serialVersionUID = 1L;

    FanotifyProtocolException(String message) {
        super(message);
    }
}
