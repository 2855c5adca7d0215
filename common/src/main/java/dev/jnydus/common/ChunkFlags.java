package dev.jnydus.common;

/**
 * Chunk flags: the u32 in the 80-byte RAFS chunk record (rafs-format 3.4), which the cache's
 * chunk records carry unchanged. (The blob meta chunk-info v2 record packs its flags differently;
 * its reader translates them into these.)
 */
public final class ChunkFlags {

    /** The stored bytes are compressed with the blob's compressor. */
    public static final int COMPRESSED = 0x01;
    /** The stored bytes are encrypted. */
    public static final int ENCRYPTED = 0x04;
    /** The chunk is part of a batch chunk. */
    public static final int BATCH = 0x08;
    /** The {@code crc32} field is valid (CRC-32C of the uncompressed chunk). */
    public static final int HAS_CRC32 = 0x10;

    private ChunkFlags() {
    }
}
