/**
 * The {@code s3} backend: objects of an S3 (or S3-compatible) bucket, path-style, signed with AWS
 * Signature Version 4.
 *
 * <p>Layer: backend. Imports {@code backend}, {@code backend.codec} (SHA-256), {@code backend.http},
 * {@code backend.options}, {@code common} and OkHttp. The secret key is used for key derivation and nowhere else.
 */
package dev.jnydus.backend.s3;
