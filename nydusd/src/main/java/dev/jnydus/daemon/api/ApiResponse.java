package dev.jnydus.daemon.api;

import java.util.Objects;

/** A successful answer: 204 without a body, or 200 with a JSON (or, for Prometheus, text) body. */
public sealed interface ApiResponse {
    ApiResponse EMPTY = new Empty();

    /** 204 No Content. */
    record Empty() implements ApiResponse {
    }

    /** 200 with {@code application/json}. */
    record Json(String body) implements ApiResponse {
        public Json {
            Objects.requireNonNull(body, "body");
        }
    }

    /** 200 with another content type (the Prometheus exposition format). */
    record Text(String body, String contentType) implements ApiResponse {
        public Text {
            Objects.requireNonNull(body, "body");
            Objects.requireNonNull(contentType, "contentType");
        }
    }
}
