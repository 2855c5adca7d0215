package dev.jnydus.builder;

/**
 * One chunk as the bootstrap records it (the 80-byte chunk record, rafs-format 4.9). Immutable; a
 * deduplicated chunk is the first occurrence with another {@link #fileOffset}.
 */
record Chunk(
        byte[] digest,
        int blobIndex,
        int index,
        int flags,
        long compressedOffset,
        int compressedSize,
        long uncompressedOffset,
        int uncompressedSize,
        long fileOffset,
        int crc32) {

    static final int SIZE = 80;

    Chunk withFileOffset(long off) {
        return new Chunk(digest, blobIndex, index, flags, compressedOffset, compressedSize, uncompressedOffset,
                uncompressedSize, off, crc32);
    }

    Chunk withBlobIndex(int bi) {
        return new Chunk(digest, bi, index, flags, compressedOffset, compressedSize, uncompressedOffset,
                uncompressedSize, fileOffset, crc32);
    }

    void encode(byte[] b, int off) {
        System.arraycopy(digest, 0, b, off, 32);
        Le.put32(b, off + 32, blobIndex);
        Le.put32(b, off + 36, flags);
        Le.put32(b, off + 40, compressedSize);
        Le.put32(b, off + 44, uncompressedSize);
        Le.put64(b, off + 48, compressedOffset);
        Le.put64(b, off + 56, uncompressedOffset);
        Le.put64(b, off + 64, fileOffset);
        Le.put32(b, off + 72, index);
        Le.put32(b, off + 76, crc32);
    }
}
