package dev.jnydus.rafs.metadata;

import dev.jnydus.common.Compressor;
import dev.jnydus.common.Digester;

/**
 * One entry of the blob table, with the fields both versions can supply (v5 lacks the blob-meta
 * ones: they are 0).
 *
 * @param index position in the blob table (the blob index chunks refer to)
 * @param blobId 64 lower-case hex characters for RAFS; for a plain EROFS image the device tag
 * @param features blob feature bits (rafs-format 3.3)
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

    public static final int FEATURE_ALIGNED = 0x1;
    public static final int FEATURE_INLINED_FS_META = 0x2;
    public static final int FEATURE_CHUNK_INFO_V2 = 0x4;
    public static final int FEATURE_ZRAN = 0x8;
    public static final int FEATURE_SEPARATE = 0x10;
    public static final int FEATURE_INLINED_CHUNK_DIGEST = 0x20;
    public static final int FEATURE_TARFS = 0x40;
    public static final int FEATURE_BATCH = 0x80;
    public static final int FEATURE_ENCRYPTED = 0x100;
    public static final int FEATURE_HAS_TAR_HEADER = 0x1000_0000;
    public static final int FEATURE_HAS_TOC = 0x2000_0000;
    public static final int FEATURE_CAP_TAR_TOC = 0x4000_0000;

    public boolean hasFeature(int bit) {
        return (features & bit) != 0;
    }
}
