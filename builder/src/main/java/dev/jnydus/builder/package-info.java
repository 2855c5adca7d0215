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
 * {@code rafs-reader} (to load layer and parent bootstraps) and {@code sys.Xattrs} (source
 * xattrs).
 *
 * <p>Where the pieces are: {@code DirectoryScanner} and {@code TarScanner} (with {@code TarReader})
 * build the {@code Tree}; {@code OverlayMerge} applies layers; {@code BootstrapLayout} numbers
 * inodes and places v6 metadata; {@code ChunkPipeline} and {@code ChunkDumper} feed
 * {@code BlobWriter}; {@code V5Writer} and {@code V6Writer} write the bootstrap;
 * {@code OutputFiles} makes the outputs appear only on success.
 *
 * <p>Deliberate differences from upstream, each commented where it is made: the blob id is the
 * SHA-256 of the whole blob file; the ToC is on by default for v6; gzip chunks use chunk-info v2
 * records and a zstd-compressed chunk-info array; {@code --aligned-chunk} with compressor none also
 * aligns the stored chunks, so the blob is an EROFS device; merge points duplicate chunks at the
 * first stored copy; xattrs are written in name order.
 */
package dev.jnydus.builder;
