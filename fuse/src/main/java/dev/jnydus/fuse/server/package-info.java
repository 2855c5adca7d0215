/**
 * The FUSE server (layer L2): decodes a request, calls the {@link dev.jnydus.fuse.api.FileSystem},
 * encodes the reply, and hands it to a {@link dev.jnydus.fuse.transport.FuseChannel}.
 * {@link dev.jnydus.fuse.server.Server} is immutable apart from the INIT result and the table of
 * requests answered later, and safe to call from many workers at once, each with its own channel
 * and buffers; a later answer is sent from the thread that completes it.
 *
 * <p>Imports {@code fuse.abi}, {@code fuse.api}, {@code fuse.transport} (the SPI only),
 * {@code dev.jnydus.common}, SLF4J and the JDK. Never imports {@code dev.jnydus.sys}.
 */
package dev.jnydus.fuse.server;
