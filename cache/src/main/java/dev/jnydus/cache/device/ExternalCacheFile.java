package dev.jnydus.cache.device;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A blob's cache file that the cache does not own and cannot read: the kernel's cache file behind
 * fscache's anonymous fd. It holds the uncompressed blob, every chunk at its uncompressed offset;
 * readers read it without the cache, so the cache only fills it ({@link ExternalBlobCache}).
 * Readiness is whatever the file holds: it survives restarts and is rebuilt from the file's data
 * extents when the blob is opened.
 */
public interface ExternalCacheFile {
    /**
     * Writes one chunk's uncompressed bytes ({@code data[position, limit)}, left unmoved) at its
     * uncompressed offset. Chunk offsets are block aligned in the images this is used for; the
     * file pads the tail of a chunk as it needs.
     */
    void write(long offset, ByteBuffer data) throws IOException;

    /** The first byte of data at or after {@code offset}, or -1 when none follows. */
    long nextData(long offset) throws IOException;

    /** The first hole at or after {@code offset} (the end of the file counts), or -1 past the end. */
    long nextHole(long offset) throws IOException;

    /** A name for log lines and metrics. */
    String name();
}
