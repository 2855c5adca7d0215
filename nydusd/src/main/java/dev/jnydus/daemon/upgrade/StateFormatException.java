package dev.jnydus.daemon.upgrade;

import java.io.IOException;

/** A saved state that this version cannot read: not JSON, not ours, too new, or inconsistent. */
public final class StateFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    public StateFormatException(String message) {
        super(message);
    }

    public StateFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
