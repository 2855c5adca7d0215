package dev.jnydus.backend;

import java.io.IOException;
import java.time.Duration;
import java.util.Optional;

/** A place blobs are stored, addressed by blob id. Thread-safe. */
public interface BlobBackend extends AutoCloseable {

    /** A short name for logs and metrics: "localfs", "registry", ... */
    String type();

    /** Opens a reader for one blob. Missing blobs may be reported here or at the first read. */
    BlobReader open(String blobId) throws IOException;

    /**
     * This backend's read counters, for {@code GET /api/v1/metrics/backend}. Every reader the
     * backend opens counts into the same object.
     */
    default Optional<BackendMetrics> metrics() {
        return Optional.empty();
    }

    /**
     * The longest one read of this backend may take, its retries, back-offs and fallbacks
     * included, or empty when the backend sets no bound (local files). The cache bounds how long a
     * reader waits for a fetch another reader started by it.
     */
    default Optional<Duration> readTimeoutBudget() {
        return Optional.empty();
    }

    /**
     * Whether its readers tell a {@link RangeProgress} as bytes arrive, so that the front of a long
     * read can be used before the read ends. False for local files, which arrive at once.
     */
    default boolean reportsProgress() {
        return false;
    }

    /** Stops background work (health checks, token refresh) and releases connections. Idempotent. */
    @Override
    default void close() {
    }
}
