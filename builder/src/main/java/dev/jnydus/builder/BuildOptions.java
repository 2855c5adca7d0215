package dev.jnydus.builder;

import dev.jnydus.common.Compressor;
import dev.jnydus.common.Digester;
import java.util.List;

/**
 * Everything {@code nydus-image create} decides before reading the source. Built with
 * {@link #defaults()} and the {@code with*} copies; {@link #validate()} rejects combinations
 * upstream rejects, quoting the values.
 *
 * @param type what the source is
 * @param fsVersion 5 or 6
 * @param compressor chunk compressor
 * @param digester chunk and inode digester
 * @param chunkSize power of two, 4 KiB to 16 MiB
 * @param whiteoutSpec how whiteouts are recognised
 * @param prefetchPatterns absolute paths for the prefetch table ({@code --prefetch-policy fs}), or
 *     {@code null} for no prefetch table (policy {@code none})
 * @param repeatable drop host uid/gid (upstream: explicit uid/gid off), for byte-identical rebuilds
 * @param blobToc append the table of contents, chunk digest array and reverse tar headers (v6)
 * @param alignedChunk also store uncompressed chunks at 4 KiB aligned blob offsets, so that the data
 *     blob is itself an EROFS extra device (compressor none)
 * @param blobId a caller-chosen blob id, or {@code null} for sha256 of the blob file
 * @param parentBootstrap the bootstrap of the layers below ({@code --parent-bootstrap}), or
 *     {@code null}: the new image is then the merge of that image and the source, whose chunks
 *     already stored in the parent's blobs are referenced there
 * @param chunkDict a bootstrap whose chunks are referenced instead of stored again
 *     ({@code --chunk-dict}), or {@code null}; its blobs join the blob table only if used
 */
public record BuildOptions(
        SourceType type,
        int fsVersion,
        Compressor compressor,
        Digester digester,
        int chunkSize,
        WhiteoutSpec whiteoutSpec,
        List<String> prefetchPatterns,
        boolean repeatable,
        boolean blobToc,
        boolean alignedChunk,
        String blobId,
        java.nio.file.Path parentBootstrap,
        java.nio.file.Path chunkDict) {

    public static final int DEFAULT_CHUNK_SIZE = 0x100000;
    public static final int MIN_CHUNK_SIZE = 0x1000;
    public static final int MAX_CHUNK_SIZE = 0x1000000;

    /** Upstream's defaults: directory, v6, zstd, blake3, 1 MiB chunks, OCI whiteouts, no prefetch; ToC on. */
    public static BuildOptions defaults() {
        return new BuildOptions(SourceType.DIRECTORY, 6, Compressor.ZSTD, Digester.BLAKE3, DEFAULT_CHUNK_SIZE,
                WhiteoutSpec.OCI, null, false, true, false, null, null, null);
    }

    public BuildOptions withType(SourceType t) {
        return new BuildOptions(t, fsVersion, compressor, digester, chunkSize, whiteoutSpec, prefetchPatterns,
                repeatable, blobToc, alignedChunk, blobId, parentBootstrap, chunkDict);
    }

    /** Sets the version; the ToC follows it (on for v6, off for v5) unless set afterwards. */
    public BuildOptions withFsVersion(int v) {
        return new BuildOptions(type, v, compressor, digester, chunkSize, whiteoutSpec, prefetchPatterns,
                repeatable, v == 6, alignedChunk, blobId, parentBootstrap, chunkDict);
    }

    public BuildOptions withCompressor(Compressor c) {
        return new BuildOptions(type, fsVersion, c, digester, chunkSize, whiteoutSpec, prefetchPatterns,
                repeatable, blobToc, alignedChunk, blobId, parentBootstrap, chunkDict);
    }

    public BuildOptions withDigester(Digester d) {
        return new BuildOptions(type, fsVersion, compressor, d, chunkSize, whiteoutSpec, prefetchPatterns,
                repeatable, blobToc, alignedChunk, blobId, parentBootstrap, chunkDict);
    }

    public BuildOptions withChunkSize(int size) {
        return new BuildOptions(type, fsVersion, compressor, digester, size, whiteoutSpec, prefetchPatterns,
                repeatable, blobToc, alignedChunk, blobId, parentBootstrap, chunkDict);
    }

    public BuildOptions withWhiteoutSpec(WhiteoutSpec w) {
        return new BuildOptions(type, fsVersion, compressor, digester, chunkSize, w, prefetchPatterns,
                repeatable, blobToc, alignedChunk, blobId, parentBootstrap, chunkDict);
    }

    public BuildOptions withPrefetchPatterns(List<String> patterns) {
        return new BuildOptions(type, fsVersion, compressor, digester, chunkSize, whiteoutSpec,
                patterns == null ? null : List.copyOf(patterns), repeatable, blobToc, alignedChunk, blobId,
                parentBootstrap, chunkDict);
    }

    public BuildOptions withRepeatable(boolean r) {
        return new BuildOptions(type, fsVersion, compressor, digester, chunkSize, whiteoutSpec, prefetchPatterns,
                r, blobToc, alignedChunk, blobId, parentBootstrap, chunkDict);
    }

    public BuildOptions withBlobToc(boolean t) {
        return new BuildOptions(type, fsVersion, compressor, digester, chunkSize, whiteoutSpec, prefetchPatterns,
                repeatable, t, alignedChunk, blobId, parentBootstrap, chunkDict);
    }

    public BuildOptions withAlignedChunk(boolean a) {
        return new BuildOptions(type, fsVersion, compressor, digester, chunkSize, whiteoutSpec, prefetchPatterns,
                repeatable, blobToc, a, blobId, parentBootstrap, chunkDict);
    }

    public BuildOptions withBlobId(String id) {
        return new BuildOptions(type, fsVersion, compressor, digester, chunkSize, whiteoutSpec, prefetchPatterns,
                repeatable, blobToc, alignedChunk, id, parentBootstrap, chunkDict);
    }

    public BuildOptions withParentBootstrap(java.nio.file.Path parent) {
        return new BuildOptions(type, fsVersion, compressor, digester, chunkSize, whiteoutSpec, prefetchPatterns,
                repeatable, blobToc, alignedChunk, blobId, parent, chunkDict);
    }

    public BuildOptions withChunkDict(java.nio.file.Path dict) {
        return new BuildOptions(type, fsVersion, compressor, digester, chunkSize, whiteoutSpec, prefetchPatterns,
                repeatable, blobToc, alignedChunk, blobId, parentBootstrap, dict);
    }

    /** Whether inode uid/gid are kept (upstream: {@code explicit_uidgid = !repeatable}). */
    public boolean explicitUidGid() {
        return !repeatable;
    }

    public BuildOptions validate() {
        if (fsVersion != 5 && fsVersion != 6) {
            throw new IllegalArgumentException("invalid fs-version: " + fsVersion + " (5 or 6)");
        }
        if (chunkSize < MIN_CHUNK_SIZE || chunkSize > MAX_CHUNK_SIZE || Integer.bitCount(chunkSize) != 1) {
            throw new IllegalArgumentException("invalid chunk size: 0x" + Integer.toHexString(chunkSize)
                    + " (a power of two between 0x1000 and 0x1000000)");
        }
        if (blobToc && fsVersion == 5) {
            throw new IllegalArgumentException("`--features blob-toc` can't be used with `--fs-version 5`");
        }
        if (blobId != null && !blobId.matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException("invalid blob id '" + blobId + "' (64 lower-case hex characters)");
        }
        if (type == null || compressor == null || digester == null || whiteoutSpec == null) {
            throw new IllegalArgumentException("incomplete build options: " + this);
        }
        return this;
    }
}
