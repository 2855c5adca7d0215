package dev.jnydus.cache.file;

import dev.jnydus.cache.device.ChunkInfo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/** Where one blob's cached chunk bytes live on disk. */
interface ChunkStore extends AutoCloseable {
    Path path();

    /** Current size of the cache file. */
    long size() throws IOException;

    /**
     * Reads {@code dst.remaining()} bytes of the chunk starting {@code offset} bytes into it; only
     * when the file holds uncompressed data ({@code !storesCompressed()}).
     */
    void readSlice(ChunkInfo c, int offset, ByteBuffer dst) throws IOException;

    /** Reads the chunk's stored form: uncompressed bytes, or the compressed bytes in raw mode. */
    byte[] readStored(ChunkInfo c) throws IOException;

    /** Whether {@link #readStored} returns compressed bytes. */
    boolean storesCompressed();

    /**
     * Writes one chunk: {@code uncompressed}, or in raw mode {@code stored[off, off + compressedSize)}.
     */
    void write(ChunkInfo c, byte[] uncompressed, byte[] stored, int off) throws IOException;

    /** Puts every chunk written so far on stable storage. */
    void sync() throws IOException;

    /** Bytes the chunk occupies in this store (for space accounting). */
    long footprint(ChunkInfo c);

    /** Where the chunk ends in the file: chunks ending past a short file cannot be there. */
    long end(ChunkInfo c);

    @Override
    void close();
}
