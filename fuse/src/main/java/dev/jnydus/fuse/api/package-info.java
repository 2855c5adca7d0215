/**
 * The filesystem interface the FUSE server calls (layer L2, the public face of the {@code fuse}
 * module): {@link dev.jnydus.fuse.api.FileSystem} with one default method per operation, the value
 * types it takes and returns, and {@link dev.jnydus.fuse.api.FsOptions} for INIT negotiation.
 * Implementations (such as {@code rafs-fs}) import only this package.
 *
 * <p>Imports {@code dev.jnydus.common} and the JDK. Never imports {@code dev.jnydus.sys}, the
 * wire format ({@code fuse.abi}) or the server.
 */
package dev.jnydus.fuse.api;
