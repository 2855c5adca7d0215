/**
 * The public view of a RAFS bootstrap: {@link dev.jnydus.rafs.metadata.RafsSuper} opens one (v5, v6
 * or a plain uncompressed EROFS image), and hands out lazily decoded inodes, directory entries, chunk
 * extents and the blob table. This layer parses bytes only; it never reads a blob. Imports
 * {@code common} alone, so that it can be fuzzed and run against golden images on its own.
 */
package dev.jnydus.rafs.metadata;
