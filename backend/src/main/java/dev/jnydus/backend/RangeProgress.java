package dev.jnydus.backend;

/**
 * Told, while a read is under way, which of its bytes have arrived, so that a caller can use the
 * front of a long range (the chunk a reader waits for) before its end is on the wire.
 *
 * <p>A hint: a reader that cannot tell (a local file, a test fake) never calls it, and everything
 * it reported is also in the buffer the read fills. Calls come on the reading thread, inside the
 * read; the listener must not throw and should return quickly (the socket waits meanwhile).
 */
@FunctionalInterface
public interface RangeProgress {

    /** Never told anything. */
    RangeProgress NONE = (offset, data, length) -> {
    };

    /**
     * Bytes {@code [offset, offset + length)} of the blob are {@code data[0, length)}. One request
     * reports the same array with a growing length; a retried or continued request starts another
     * array (possibly from the same offset again). The bytes come from a response whose status and
     * range were checked but whose end has not been read yet, so a caller that needs them proven
     * checks them (digests, decompression) as it would the whole read's.
     */
    void arrived(long offset, byte[] data, int length);
}
