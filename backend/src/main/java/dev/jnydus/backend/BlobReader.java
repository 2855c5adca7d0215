package dev.jnydus.backend;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Reads byte ranges of one blob. Implementations supply {@link #tryRead}; the policy (looping over
 * short reads, what a premature end means) lives in the default methods.
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

    /** Fills {@code dst} from {@code offset}; a blob that ends first is an error naming the blob. */
    default void readFully(ByteBuffer dst, long offset) throws IOException {
        long pos = offset;
        int wanted = dst.remaining();
        while (dst.hasRemaining()) {
            int n = tryRead(dst, pos);
            if (n < 0) {
                throw new BackendException("blob " + blobId() + " ends at " + pos + ", wanted " + wanted
                        + " bytes from " + offset);
            }
            pos += n;
        }
    }

    /** Reads {@code length} bytes from {@code offset} into a new array. */
    default byte[] read(long offset, int length) throws IOException {
        byte[] out = new byte[length];
        readFully(ByteBuffer.wrap(out), offset);
        return out;
    }

    @Override
    default void close() {
    }
}
