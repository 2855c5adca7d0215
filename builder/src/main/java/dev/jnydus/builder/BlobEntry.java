package dev.jnydus.builder;

import dev.jnydus.common.Compressor;
import dev.jnydus.common.Digester;

/**
 * One blob-table entry as the bootstrap writers need it, whether the blob was just written or
 * comes from a layer bootstrap being merged (rafs-format 4.5, 4.6, 5.4, 5.5).
 */
record BlobEntry(
        String blobId,
        Compressor compressor,
        Digester digester,
        int chunkSize,
        int chunkCount,
        long compressedSize,
        long uncompressedSize,
        int features,
        long ciOffset,
        long ciCompressedSize,
        long ciUncompressedSize,
        Compressor ciCompressor,
        int tocSize,
        byte[] tocDigest,
        byte[] metaDigest,
        long metaSize,
        long readaheadOffset,
        long readaheadSize) {

    static final int FEATURE_ALIGNED = 0x1;
    static final int FEATURE_CHUNK_INFO_V2 = 0x4;
    static final int FEATURE_INLINED_CHUNK_DIGEST = 0x20;
    static final int FEATURE_HAS_TAR_HEADER = 0x1000_0000;
    static final int FEATURE_HAS_TOC = 0x2000_0000;
    static final int FEATURE_CAP_TAR_TOC = 0x4000_0000;

    BlobEntry withBlobId(String id) {
        return new BlobEntry(id, compressor, digester, chunkSize, chunkCount, compressedSize, uncompressedSize,
                features, ciOffset, ciCompressedSize, ciUncompressedSize, ciCompressor, tocSize, tocDigest,
                metaDigest, metaSize, readaheadOffset, readaheadSize);
    }
}
