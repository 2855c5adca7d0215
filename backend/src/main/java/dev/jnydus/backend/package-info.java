/**
 * Reading blob bytes from where they are stored: {@link dev.jnydus.backend.BlobBackend} opens a
 * {@link dev.jnydus.backend.BlobReader} per blob id; {@link dev.jnydus.backend.BackendFactory}
 * builds a backend from its type and options record ({@code backend.options}); each backend counts
 * its reads in {@link dev.jnydus.backend.BackendMetrics}. Time, sleeping, randomness, scheduling and
 * the process environment come in through {@link dev.jnydus.backend.BackendEnvironment}.
 *
 * <p>Layer: backend. This layer only moves bytes; it never imports the cache, the filesystem or the
 * RAFS reader. Imports {@code common} and {@code config}; its sub-packages add OkHttp
 * ({@code http}, {@code registry}, {@code oss}, {@code s3}, {@code httpproxy}) and Jackson
 * ({@code registry}, for token responses).
 */
package dev.jnydus.backend;
