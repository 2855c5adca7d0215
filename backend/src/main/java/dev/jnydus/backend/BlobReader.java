package dev.jnydus.backend;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Reads byte ranges of one blob. Implementations supply {@link #tryRead(ByteBuffer, long)}; the
 * policy (looping over short reads, what a premature end means, the request source) lives in the
 * default methods. Remote readers override {@link #tryRead(ByteBuffer, long, RequestSource)} to
 * pass the source on to their retry and routing policy; everything else stays a default.
 *
 * <p>Errors are {@link BackendException}s (EIO for the kernel) whose message names the blob and
 * the range, and never a credential.
 */
public interface BlobReader extends AutoCloseable {

    String blobId();

    /** The blob's size in bytes. */
    long size() throws IOException;

    /**
     * Reads up to {@code dst.remaining()} bytes starting at {@code offset} into {@code dst},
     * advancing its position. Returns the number of bytes read, or -1 when {@code offset} is at or past
     * the end of the blob. May read fewer bytes than asked.
     */
    int tryRead(ByteBuffer dst, long offset) throws IOException;

    /**
     * As {@link #tryRead(ByteBuffer, long)}, on behalf of {@code source}. Readers without a
     * per-source policy ignore the source.
     */
    default int tryRead(ByteBuffer dst, long offset, RequestSource source) throws IOException {
        return tryRead(dst, offset);
    }

    /**
     * As {@link #tryRead(ByteBuffer, long, RequestSource)}, telling {@code progress} as the bytes
     * arrive. Readers that cannot tell ignore it.
     */
    default int tryRead(ByteBuffer dst, long offset, RequestSource source, RangeProgress progress)
            throws IOException {
        return tryRead(dst, offset, source);
    }

    /** Fills {@code dst} from {@code offset}; a blob that ends first is an error naming the blob. */
    default void readFully(ByteBuffer dst, long offset) throws IOException {
        readFully(dst, offset, RequestSource.ON_DEMAND);
    }

    /** Fills {@code dst} from {@code offset} on behalf of {@code source}. */
    default void readFully(ByteBuffer dst, long offset, RequestSource source) throws IOException {
        readFully(dst, offset, source, RangeProgress.NONE);
    }

    /**
     * Fills {@code dst} from {@code offset} on behalf of {@code source}, telling {@code progress}
     * as the bytes arrive (see {@link BlobBackend#reportsProgress()}).
     */
    default void readFully(ByteBuffer dst, long offset, RequestSource source, RangeProgress progress)
            throws IOException {
        long pos = offset;
        int wanted = dst.remaining();
        while (dst.hasRemaining()) {
            int n = tryRead(dst, pos, source, progress);
            if (n < 0) {
                throw new BackendException("blob " + blobId() + " ends at " + pos + ", wanted " + wanted
                        + " bytes from " + offset);
            }
            pos += n;
        }
    }

    /** Reads {@code length} bytes from {@code offset} into a new array. */
    default byte[] read(long offset, int length) throws IOException {
        return read(offset, length, RequestSource.ON_DEMAND);
    }

    /** Reads {@code length} bytes from {@code offset} into a new array on behalf of {@code source}. */
    default byte[] read(long offset, int length, RequestSource source) throws IOException {
        byte[] out = new byte[length];
        readFully(ByteBuffer.wrap(out), offset, source);
        return out;
    }

    @Override
    default void close() {
    }
}
