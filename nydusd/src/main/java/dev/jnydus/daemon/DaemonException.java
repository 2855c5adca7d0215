package dev.jnydus.daemon;

import java.util.Objects;

/**
 * A request the daemon could not carry out. The {@link Kind} decides the HTTP status (see
 * {@code daemon.api.ApiError}); the message is the descriptive text users read.
 */
public final class DaemonException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Upstream's DaemonErrorKind. */
    public enum Kind {
        /** The service is not ready yet (HTTP 503). */
        NOT_READY,
        /** This daemon does not do that (HTTP 501). */
        UNSUPPORTED,
        /** The state machine has no transition for the event in the current state (HTTP 400). */
        UNEXPECTED_EVENT,
        /** Saving or restoring state for an upgrade failed (HTTP 500). */
        UPGRADE_MANAGER,
        /** Anything else (HTTP 500). */
        OTHER
    }

    private final Kind kind;

    public DaemonException(Kind kind, String message) {
        super(message);
        this.kind = Objects.requireNonNull(kind, "kind");
    }

    public DaemonException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = Objects.requireNonNull(kind, "kind");
    }

    public static DaemonException other(String message) {
        return new DaemonException(Kind.OTHER, message);
    }

    public static DaemonException other(String message, Throwable cause) {
        return new DaemonException(Kind.OTHER, message, cause);
    }

    public static DaemonException unsupported(String message) {
        return new DaemonException(Kind.UNSUPPORTED, message);
    }

    public Kind kind() {
        return kind;
    }
}
