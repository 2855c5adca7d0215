/**
 * The transport SPI (layer L2): {@link dev.jnydus.fuse.transport.FuseChannel} moves whole FUSE
 * messages and nothing else. Imports the JDK only; implementations live in sub-packages
 * ({@code transport.dev}) or in tests.
 */
package dev.jnydus.fuse.transport;
