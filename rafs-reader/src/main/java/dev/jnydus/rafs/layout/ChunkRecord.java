package dev.jnydus.rafs.layout;

import dev.jnydus.rafs.metadata.ChunkRef;
import dev.jnydus.rafs.metadata.RafsFormatException;

/**
 * The 80-byte RAFS chunk record (rafs-format 3.4): the chunk array after a v5 inode and each
 * entry of the v6 chunk table share it. Decoded as stored; each caller checks what its format
 * requires.
 */
public final class ChunkRecord {
    public static final int SIZE = 80;

    private ChunkRecord() {
    }

    /**
     * Decodes the record at {@code off}.
     *
     * @param what how error messages name the record's fields ("chunk", "chunk table")
     */
    public static ChunkRef read(MetaBuffer meta, long off, String what) throws RafsFormatException {
        byte[] digest = meta.bytes(off, 32, what + " block_id");
        int blobIndex = meta.i32(off + 32, what + " blob_index");
        int flags = meta.i32(off + 36, what + " flags");
        int compSize = meta.i32(off + 40, what + " compressed_size");
        int uncompSize = meta.i32(off + 44, what + " uncompressed_size");
        long compOff = meta.u64(off + 48, what + " compressed_offset");
        long uncompOff = meta.u64(off + 56, what + " uncompressed_offset");
        long fileOff = meta.u64(off + 64, what + " file_offset");
        int index = meta.i32(off + 72, what + " index");
        int crc = meta.i32(off + 76, what + " crc32");
        return new ChunkRef(blobIndex, index, flags, compOff, compSize, uncompOff, uncompSize, fileOff, digest, crc);
    }
}
