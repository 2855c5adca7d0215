package dev.jnydus.daemon.api;

/**
 * Carries out {@link ApiRequest}s: the daemon side of the API. The HTTP layer calls it from one
 * dispatcher thread, one request at a time, as upstream's single API handler thread does.
 */
@FunctionalInterface
public interface ApiHandler {
    ApiResponse handle(ApiRequest request) throws ApiError;
}
