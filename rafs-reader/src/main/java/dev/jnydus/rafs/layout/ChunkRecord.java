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
        // One check for the whole record, so that no field's read can fail and their labels are
        // constants: a label per field built from {@code what} cost ten strings a record, on every
        // file read and twice per chunk in the whole-image check.
        meta.check(off, SIZE, what);
        byte[] digest = meta.bytes(off, 32, "block_id");
        int blobIndex = meta.i32(off + 32, "blob_index");
        int flags = meta.i32(off + 36, "flags");
        int compSize = meta.i32(off + 40, "compressed_size");
        int uncompSize = meta.i32(off + 44, "uncompressed_size");
        long compOff = meta.u64(off + 48, "compressed_offset");
        long uncompOff = meta.u64(off + 56, "uncompressed_offset");
        long fileOff = meta.u64(off + 64, "file_offset");
        int index = meta.i32(off + 72, "index");
        int crc = meta.i32(off + 76, "crc32");
        return new ChunkRef(blobIndex, index, flags, compOff, compSize, uncompOff, uncompSize, fileOff, digest, crc);
    }
}
