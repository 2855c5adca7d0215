/**
 * The {@code http-proxy} backend: blobs served by plain HTTP(S) at {@code addr + path + "/" + id}.
 *
 * <p>Layer: backend. Imports {@code backend}, {@code backend.http}, {@code backend.options},
 * {@code common} and OkHttp.
 */
package dev.jnydus.backend.httpproxy;
