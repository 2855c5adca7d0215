/**
 * The {@code registry} backend: OCI distribution blobs by digest, with anonymous, basic and bearer
 * token auth (challenge parsing, token fetch by POST then GET, cached tokens refreshed before
 * expiry), redirects to blob storage, and the https-to-http fallback {@code skip_verify} allows.
 *
 * <p>Layer: backend. Imports {@code backend}, {@code backend.http}, {@code backend.options},
 * {@code common}, OkHttp and Jackson (token responses). Credentials and tokens never reach a log
 * line, an exception message or a {@code toString}.
 */
package dev.jnydus.backend.registry;
