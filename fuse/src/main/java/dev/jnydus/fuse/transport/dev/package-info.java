/**
 * The /dev/fuse transport (layer L2, the only door from {@code fuse} to native code):
 * {@link dev.jnydus.fuse.transport.dev.FuseSession} mounts and unmounts and owns the session
 * descriptor, {@link dev.jnydus.fuse.transport.dev.DevFuseChannel} moves messages over one
 * duplicate of it, {@link dev.jnydus.fuse.transport.dev.FuseWorkers} runs a
 * {@link dev.jnydus.fuse.server.Server} on N threads, one channel each, and
 * {@link dev.jnydus.fuse.transport.dev.Fusectl} writes a connection's control files.
 *
 * <p>The only package of the {@code fuse} module that imports {@code dev.jnydus.sys}. Also imports
 * {@code fuse.server}, {@code fuse.transport}, {@code dev.jnydus.common}, SLF4J and the JDK.
 */
package dev.jnydus.fuse.transport.dev;
