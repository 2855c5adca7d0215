/**
 * The one door to native code (layer L1). Public typed syscall wrappers ({@link dev.jnydus.sys.Sys}),
 * the owning descriptor ({@link dev.jnydus.sys.Fd}) and the availability probe. Every wrapper turns
 * {@code -1} plus errno into a {@link dev.jnydus.common.FsException} straight after the call.
 *
 * <p>May import {@code dev.jnydus.common} and {@code com.sun.jna}; this is the only package in the
 * project that may import {@code com.sun.jna}, and the JNA binding ({@code LibC}) stays
 * package-private. Linux on a 64-bit (LP64) ABI only: struct layouts written by hand here
 * ({@code iovec}, {@code msghdr}, {@code cmsghdr}, {@code pollfd}, {@code sockaddr_un}) assume it.
 */
package dev.jnydus.sys;
