/**
 * The {@code oss} backend: Alibaba Cloud OSS objects, every request signed with the OSS header
 * signature (HMAC-SHA1 over verb, Content-MD5, Content-Type, Date, x-oss headers and the
 * canonical resource).
 *
 * <p>Layer: backend. Imports {@code backend}, {@code backend.http}, {@code backend.options},
 * {@code common} and OkHttp. The secret key is used for the HMAC and nowhere else.
 */
package dev.jnydus.backend.oss;
