package dev.jnydus.daemon.api;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One HTTP request as the routes see it, independent of the server library.
 *
 * @param method upper-case method name
 * @param path the path without the query, as sent (routing is by exact match)
 * @param query decoded query parameters, the first value of each name
 * @param body the body; empty means "no body" (a {@code Content-Length: 0} counts as none)
 */
public record HttpCall(String method, String path, Map<String, String> query, byte[] body) {
    public HttpCall {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(path, "path");
        query = Map.copyOf(query);
        body = body == null ? new byte[0] : body;
    }

    public boolean hasBody() {
        return body.length > 0;
    }

    public Optional<String> param(String name) {
        return Optional.ofNullable(query.get(name));
    }
}
