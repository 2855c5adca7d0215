package dev.jnydus.daemon.api;

import dev.jnydus.daemon.DaemonException;
import java.util.Objects;

/**
 * A failed API call: an HTTP status and the {@code message} of the error body
 * {@code {"code": "UNDEFINED", "message": ...}} (spec 3.2). Messages keep upstream's nested shape
 * {@code <HttpVariant>(<ApiVariant>(<Kind>(...)))}, e.g.
 * {@code Mount(MountFilesystem(Other("object or filesystem already exists: /x")))}, with the
 * descriptive text inside (also where upstream writes a bare {@code Unsupported} or
 * {@code NotReady}), so that clients matching substrings (the snapshotter's
 * "blob_cache: cache entry not found") find it. {@link #status(Source, DaemonException.Kind)} is
 * the one table from error kind to status code (upstream's {@code translate_status_code}).
 */
public final class ApiError extends Exception {
    private static final long serialVersionUID = 1L;

    /** The ApiError variant that carries a daemon error kind. */
    public enum Source {
        DAEMON_ABNORMAL("DaemonAbnormal(%s)"),
        MOUNT_FILESYSTEM("MountFilesystem(%s)"),
        METRICS_DAEMON("Metrics(Daemon(%s))");

        private final String format;

        Source(String format) {
            this.format = format;
        }
    }

    private final int status;

    private ApiError(int status, String message) {
        super(message);
        this.status = status;
    }

    public int status() {
        return status;
    }

    /** Upstream's translate_status_code: the status of a daemon error by where it came from. */
    public static int status(Source source, DaemonException.Kind kind) {
        if (source == Source.METRICS_DAEMON) {
            return 500;
        }
        return switch (kind) {
            case NOT_READY -> 503;
            case UNSUPPORTED -> 501;
            case UNEXPECTED_EVENT -> 400;
            default -> 500;
        };
    }

    /** A request the route cannot take: wrong method, body where none belongs, or the reverse. */
    public static ApiError badRequest() {
        return new ApiError(400, "BadRequest");
    }

    public static ApiError noRoute() {
        return new ApiError(404, "NoRoute");
    }

    /** A body that is not the JSON the route expects. */
    public static ApiError parseBody(String problem, long line, long column) {
        return new ApiError(400, "ParseBody(Error(" + debug(problem) + ", line: " + line + ", column: " + column + "))");
    }

    public static ApiError queryString(String problem) {
        return new ApiError(400, "QueryString(" + debug(problem) + ")");
    }

    /** A body over the server's limit (jnydus; upstream's limit is 50 KiB and answers 400). */
    public static ApiError payloadTooLarge(long limit) {
        return new ApiError(413, "BadRequest(PayloadTooLarge(" + debug("request body over " + limit + " bytes")
                + "))");
    }

    /** A daemon error, in {@code context} (the request's {@link ApiRequest#errorContext()}). */
    public static ApiError of(String context, Source source, DaemonException e) {
        String kind = switch (e.kind()) {
            case NOT_READY -> "NotReady(" + debug(e.getMessage()) + ")";
            case UNSUPPORTED -> "Unsupported(" + debug(e.getMessage()) + ")";
            case UNEXPECTED_EVENT -> "UnexpectedEvent(" + debug(e.getMessage()) + ")";
            case UPGRADE_MANAGER -> "UpgradeManager(" + debug(e.getMessage()) + ")";
            default -> "Other(" + debug(e.getMessage()) + ")";
        };
        return new ApiError(status(source, e.kind()), context + "(" + String.format(source.format, kind) + ")");
    }

    /** No metrics object with the asked id (or, without an id, not exactly one). */
    public static ApiError noCounter(String context) {
        return new ApiError(404, context + "(Metrics(Stats(NoCounter)))");
    }

    /** A value the daemon cannot use (bad log level, unknown configuration key): upstream's 500. */
    public static ApiError payloadType(String context, String detail) {
        Objects.requireNonNull(detail, "detail");
        return new ApiError(500, context + "(ResponsePayloadType(" + debug(detail) + "))");
    }

    /** Rust's Debug rendering of a string: quoted, with quotes, backslashes and controls escaped. */
    static String debug(String s) {
        String text = s == null ? "" : s;
        StringBuilder b = new StringBuilder(text.length() + 2).append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u{%x}", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }
}
