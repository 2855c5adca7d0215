/**
 * The RAFS image builder behind {@code nydus-image create} and {@code merge}: scans a directory,
 * a tar or a tar.gz layer (or loads layer bootstraps), applies whiteouts, cuts files into chunks,
 * deduplicates, compresses and writes the data blob with its chunk-info array and table of
 * contents, then lays out and writes the RAFS v5 or v6 bootstrap, byte for byte as upstream's
 * Rust builder ({@code builder/src}) does unless a comment says otherwise.
 *
 * <p>Public: {@link dev.jnydus.builder.ImageBuilder}, {@link dev.jnydus.builder.ImageMerger},
 * their options and results, {@link dev.jnydus.builder.BuildException}. Everything else is
 * package-private. Imports {@code common}, {@code backend.codec} (chunk compression and digests),
 * {@code rafs-reader} (to load bootstraps for merging) and {@code sys.Xattrs} (source xattrs).
 */
package dev.jnydus.builder;
