package dev.jnydus.fscache.cachefiles;

import dev.jnydus.common.FsException;
import java.nio.ByteBuffer;

/**
 * The anonymous fd of one cache object (spec section 6): write-only access to the kernel's cache
 * file, whose holes tell which data is present, and the completion of READ requests.
 *
 * <p>Thread-safe. {@link #close()} may race with nothing: the caller closes an object only once its
 * users are done (a closed fd number may be reused by the kernel at once).
 */
public interface CacheObjectFile extends AutoCloseable {
    /** The granularity of writes: offsets must be multiples, lengths are padded to one. */
    int BLOCK = 4096;

    /**
     * Writes {@code data[position, limit)} at {@code offset}, a multiple of {@link #BLOCK}; the last
     * block is padded with zeros (the cache file's size is already rounded up to a block). The
     * buffer's position is not moved.
     *
     * @throws FsException ENOBUFS when the kernel refuses the offset or the object lost its file
     */
    void write(long offset, ByteBuffer data) throws FsException;

    /** The first data at or after {@code offset}, or -1 if there is none ({@code SEEK_DATA}). */
    long nextData(long offset) throws FsException;

    /** The first hole at or after {@code offset} (the end counts), or -1 past the end ({@code SEEK_HOLE}). */
    long nextHole(long offset) throws FsException;

    /**
     * Completes READ {@code msgId} of this object ({@code CACHEFILES_IOC_READ_COMPLETE}); the reader
     * then finds the data, or gets EIO where none was written.
     *
     * @throws FsException EINVAL when the request is no longer outstanding (its reader was killed)
     */
    void completeRead(int msgId) throws FsException;

    /** The descriptor number, for log lines. */
    int number();

    @Override
    void close();
}
