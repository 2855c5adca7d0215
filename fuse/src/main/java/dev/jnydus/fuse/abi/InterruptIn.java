package dev.jnydus.fuse.abi;

import java.nio.ByteBuffer;

/** INTERRUPT arguments. C: {@code struct fuse_interrupt_in}, 8 bytes, little-endian. */
public record InterruptIn(long unique) {
    public static final int SIZE = 8;

    /** Reads {@link #SIZE} bytes at the buffer's position, advancing it; the caller checked the length. */
    public static InterruptIn decode(ByteBuffer b) {
        long unique = b.getLong();
        return new InterruptIn(unique);
    }

    /** Writes {@link #SIZE} bytes at the buffer's position (padding zeroed), advancing it. */
    public void encode(ByteBuffer b) {
        b.putLong(unique);
    }
}
