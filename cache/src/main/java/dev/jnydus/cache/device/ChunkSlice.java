package dev.jnydus.cache.device;

/**
 * A byte range of one chunk's uncompressed data: {@code length} bytes from {@code offset} inside
 * the chunk.
 */
public record ChunkSlice(ChunkInfo chunk, int offset, int length) {
    public ChunkSlice {
        if (chunk == null || offset < 0 || length < 0 || (long) offset + length > chunk.uncompressedSize()) {
            throw new IllegalArgumentException("slice " + offset + "+" + length + " outside chunk " + chunk);
        }
    }

    /** The whole chunk. */
    public static ChunkSlice whole(ChunkInfo chunk) {
        return new ChunkSlice(chunk, 0, chunk.uncompressedSize());
    }
}
