package dev.jnydus.fscache;

/**
 * A blob cache entry that cannot be added or removed. {@link #kind()} tells the API which status
 * to answer (upstream: a malformed entry 400, anything else 500); the message is the reason, and
 * for a missing entry contains {@code blob_cache: cache entry not found}, which the snapshotter
 * looks for.
 */
public final class BlobCacheException extends Exception {
    private static final long serialVersionUID = 1L;

    /** The kind of failure. */
    public enum Kind {
        /** The entry itself is invalid (bad id, unsupported type or cache). */
        INVALID,
        /** The entry is valid but conflicts with the registry (already there). */
        EXISTS,
        /** No such entry. */
        NOT_FOUND,
        /** The entry names something unusable: bootstrap missing or not RAFS v6, backend failure. */
        FAILED
    }

    private final Kind kind;

    BlobCacheException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    BlobCacheException(Kind kind, String message) {
        this(kind, message, null);
    }

    public Kind kind() {
        return kind;
    }
}
