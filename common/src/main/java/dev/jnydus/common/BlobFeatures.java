package dev.jnydus.common;

/**
 * Blob feature bits: the u32 in the v5 extended blob table, the v6 blob table and the blob meta
 * header (rafs-format 3.3). Defined once here so the reader, the cache and the builder cannot
 * disagree about a bit.
 */
public final class BlobFeatures {

    /** Each chunk's uncompressed offset is 4 KiB aligned (required for v6 unless tarfs). */
    public static final int ALIGNED = 0x0000_0001;
    /** The bootstrap is stored inside the data blob ({@code image.boot}). */
    public static final int INLINED_FS_META = 0x0000_0002;
    /** The chunk-info array uses 24-byte v2 records. */
    public static final int CHUNK_INFO_V2 = 0x0000_0004;
    /** Chunk data is inside an original gzip stream (random access contexts). */
    public static final int ZRAN = 0x0000_0008;
    /** Chunk data and blob meta live in different blobs. */
    public static final int SEPARATE = 0x0000_0010;
    /** The blob carries a {@code blob.digest} array. */
    public static final int INLINED_CHUNK_DIGEST = 0x0000_0020;
    /** The blob is a plain tar stream. */
    public static final int TARFS = 0x0000_0040;
    /** Small chunks are merged into batch chunks. */
    public static final int BATCH = 0x0000_0080;
    /** The blob is encrypted. */
    public static final int ENCRYPTED = 0x0000_0100;
    /** The blob was produced for a chunk dictionary. */
    public static final int IS_CHUNKDICT_GENERATED = 0x0000_0200;
    /** The blob holds separated prefetch files. */
    public static final int IS_SEPARATED_WITH_PREFETCH_FILES = 0x0000_0400;
    /** The data lives in an external storage backend. */
    public static final int EXTERNAL = 0x0000_0800;
    /** Sections are followed by 512-byte tar headers. */
    public static final int HAS_TAR_HEADER = 0x1000_0000;
    /** The blob ends with a ToC. */
    public static final int HAS_TOC = 0x2000_0000;
    /** Produced by nydus-image 2.2 or newer. */
    public static final int CAP_TAR_TOC = 0x4000_0000;

    /**
     * Bits a valid on-disk value never has: 0xF000 of the low half, and 0x8000_0000, which nydus
     * uses internally for "v5 without extended blob table".
     */
    public static final int REJECTED = 0x8000_F000;

    private BlobFeatures() {
    }
}
