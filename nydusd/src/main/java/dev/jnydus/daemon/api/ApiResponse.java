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

    /**
     * {@code response}, then {@code afterSent} once it has been written (or the client is gone):
     * what ends the daemon must not close the connection before the client has its answer.
     */
    record ThenRun(ApiResponse response, Runnable afterSent) implements ApiResponse {
        public ThenRun {
            Objects.requireNonNull(response, "response");
            Objects.requireNonNull(afterSent, "afterSent");
            if (response instanceof ThenRun) {
                throw new IllegalArgumentException("nested ThenRun");
            }
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
