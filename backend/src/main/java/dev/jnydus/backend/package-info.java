/**
 * Reading blob bytes from where they are stored: {@link dev.jnydus.backend.BlobBackend} opens a
 * {@link dev.jnydus.backend.BlobReader} per blob id. This layer only moves bytes; it never imports
 * the cache, the filesystem or the RAFS reader. Imports {@code common} and {@code config}.
 */
package dev.jnydus.backend;
