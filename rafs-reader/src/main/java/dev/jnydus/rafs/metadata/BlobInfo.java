package dev.jnydus.rafs.metadata;

import dev.jnydus.common.Compressor;
import dev.jnydus.common.Digester;

/**
 * One entry of the blob table, with the fields both versions can supply (v5 lacks the blob-meta
 * ones: they are 0).
 *
 * @param index position in the blob table (the blob index chunks refer to)
 * @param blobId 64 lower-case hex characters for RAFS; for a plain EROFS image the device tag
 * @param features blob feature bits ({@link dev.jnydus.common.BlobFeatures}, rafs-format 3.3)
 * @param readaheadOffset v5 blob readahead offset
 * @param readaheadSize v5 blob readahead size
 * @param ciOffset offset of the compressed chunk-info array in the blob (v6)
 * @param ciCompressedSize its stored size
 * @param ciUncompressedSize its size once decompressed
 * @param ciCompressor how it is compressed
 * @param tocSize size of the ToC entries plus their tar header, 0 when unknown
 * @param tocDigest SHA-256 of the ToC, all zero when unknown
 * @param metaDigest ZRAN/ref: digest of the RAFS blob holding the meta
 * @param metaSize ZRAN/ref: size of that blob
 */
public record BlobInfo(
        int index,
        String blobId,
        Compressor compressor,
        Digester digester,
        int chunkSize,
        int chunkCount,
        long compressedSize,
        long uncompressedSize,
        int features,
        long readaheadOffset,
        long readaheadSize,
        long ciOffset,
        long ciCompressedSize,
        long ciUncompressedSize,
        Compressor ciCompressor,
        int tocSize,
        byte[] tocDigest,
        byte[] metaDigest,
        long metaSize) {

    public boolean hasFeature(int bit) {
        return (features & bit) != 0;
    }
}
