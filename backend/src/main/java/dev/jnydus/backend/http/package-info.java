/**
 * HTTP plumbing shared by the remote backends: a {@link dev.jnydus.backend.http.RangeRequest}
 * travels down a fixed chain of small {@link dev.jnydus.backend.http.Interceptor}s (metrics, retry,
 * proxy or mirror fallback, the backend's auth or signing step, redirects) to the
 * {@link dev.jnydus.backend.http.Transport}, which alone talks to OkHttp. Backends differ only in
 * their auth interceptor and their URL builder; {@link dev.jnydus.backend.http.HttpBlobReader} is
 * the one reader they share.
 *
 * <p>Layer: backend. Imports {@code common}, the {@code backend} API and OkHttp. Nothing here may
 * log a credential: {@link dev.jnydus.backend.http.Redact} is the one place that shortens URLs and
 * drops secret headers for messages.
 */
package dev.jnydus.backend.http;
