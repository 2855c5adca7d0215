package dev.jnydus.rafs.metadata;

/**
 * A piece of a regular file's byte range: stored in a blob chunk, a hole of zeros, or bytes kept
 * in the bootstrap itself (plain EROFS flat and inline-tail files). Extents are returned in file
 * order and never overlap; together they cover the requested range up to the file size.
 */
public sealed interface FileExtent permits FileExtent.Chunk, FileExtent.Hole, FileExtent.Inline {

    /** First file byte this extent describes. */
    long fileOffset();

    /** Number of file bytes this extent describes. */
    long length();

    /** File bytes stored in a blob chunk; the extent covers the whole chunk. */
    record Chunk(ChunkRef chunk) implements FileExtent {
        @Override
        public long fileOffset() {
            return chunk.fileOffset();
        }

        @Override
        public long length() {
            return chunk.uncompressedSize();
        }
    }

    /** File bytes that read as zeros. */
    record Hole(long fileOffset, long length) implements FileExtent {
    }

    /**
     * File bytes stored uncompressed in the bootstrap at {@code bootstrapOffset}. A decoder returns
     * one only after checking that the whole range lies inside the bootstrap.
     */
    record Inline(long fileOffset, long length, long bootstrapOffset) implements FileExtent {
    }
}
