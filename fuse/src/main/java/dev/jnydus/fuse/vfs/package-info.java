/**
 * The FUSE namespace as upstream's fuse-backend-rs {@code api/vfs} builds it (layer L2): a
 * {@link dev.jnydus.fuse.vfs.Vfs} is itself a {@link dev.jnydus.fuse.api.FileSystem} whose tree is
 * a small pseudo filesystem of directories, on which backend filesystems (RAFS instances) are
 * attached at paths such as {@code /} or {@code /sub/dir}. Node ids carry the backend index in
 * their top 8 bits (the inode-index packing), so every backend keeps its own inode numbers.
 *
 * <p>Imports {@code fuse.api}, {@code dev.jnydus.common}, SLF4J and the JDK; never the wire format,
 * the server or {@code dev.jnydus.sys}.
 */
package dev.jnydus.fuse.vfs;
