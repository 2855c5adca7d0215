/**
 * The FUSE wire format (layer L2, bottom of the {@code fuse} module): opcodes, protocol constants,
 * and one record per kernel struct with its {@code SIZE}, a {@code decode} and an {@code encode}
 * over a little-endian {@link java.nio.ByteBuffer}. No behaviour, no policy.
 *
 * <p>Imports the JDK only. Never imports {@code dev.jnydus.sys}.
 */
package dev.jnydus.fuse.abi;
