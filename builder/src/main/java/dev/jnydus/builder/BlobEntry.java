package dev.jnydus.builder;

import dev.jnydus.common.Compressor;
import dev.jnydus.common.Digester;

/**
 * One blob-table entry as the bootstrap writers need it, whether the blob was just written or
 * comes from a layer bootstrap being merged (rafs-format 4.5, 4.6, 5.4, 5.5). {@code features} holds
 * {@link dev.jnydus.common.BlobFeatures} bits.
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

    BlobEntry withBlobId(String id) {
        return new BlobEntry(id, compressor, digester, chunkSize, chunkCount, compressedSize, uncompressedSize,
                features, ciOffset, ciCompressedSize, ciUncompressedSize, ciCompressor, tocSize, tocDigest,
                metaDigest, metaSize, readaheadOffset, readaheadSize);
    }
}
