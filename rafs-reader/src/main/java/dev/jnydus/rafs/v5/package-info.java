/**
 * RAFS v5 bootstraps (rafs-format section 4): superblock, inode table, blob tables and inode records
 * decoded straight from the mapped file on each access.
 */
package dev.jnydus.rafs.v5;
