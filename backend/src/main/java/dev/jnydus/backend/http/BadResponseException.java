package dev.jnydus.backend.http;

import java.io.IOException;

/**
 * An answer that cannot be the requested bytes: a body shorter or longer than announced, a
 * {@code Content-Range} that starts elsewhere or is missing on a 206. Retried like a transport
 * failure; never served as data.
 */
public final class BadResponseException extends IOException {
    private static final long serialVersionUID = 1L;

    public BadResponseException(String message) {
        super(message);
    }

    public BadResponseException(String message, Throwable cause) {
        super(message, cause);
    }
}
