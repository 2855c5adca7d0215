package dev.jnydus.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jnydus.daemon.api.ApiError;
import java.util.Optional;

/**
 * The metrics documents of the API (spec 3.5, 3.6), looked up by id: filesystem metrics by the
 * mountpoint in the namespace, backend metrics by the mountpoint that created the backend, blob
 * cache metrics by the configuration id. Without an id, the one registered object if there is
 * exactly one.
 */
public final class DaemonMetrics {
    /** The Prometheus text exposition format, version 0.0.4. */
    public static final String PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    public JsonNode global(String ctx, Optional<String> id) throws ApiError {
        throw ApiError.noCounter(ctx);
    }

    public JsonNode files(String ctx, Optional<String> id, boolean latest) throws ApiError {
        throw ApiError.noCounter(ctx);
    }

    public JsonNode patterns(String ctx, Optional<String> id) throws ApiError {
        throw ApiError.noCounter(ctx);
    }

    public JsonNode backend(String ctx, Optional<String> id) throws ApiError {
        throw ApiError.noCounter(ctx);
    }

    public JsonNode blobcache(String ctx, Optional<String> id) throws ApiError {
        throw ApiError.noCounter(ctx);
    }

    /** The requests FUSE workers are handling now, or empty when none. */
    public Optional<String> inflight() {
        return Optional.empty();
    }

    public String prometheus() {
        return "";
    }
}
