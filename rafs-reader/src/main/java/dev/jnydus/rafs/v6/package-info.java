/**
 * RAFS v6 bootstraps and plain uncompressed EROFS images (rafs-format section 5, Linux
 * {@code fs/erofs/erofs_fs.h}): superblocks, device and blob tables, inodes, directory blocks, chunk
 * indexes and the RAFS chunk table, decoded from the mapped file on each access.
 */
package dev.jnydus.rafs.v6;
