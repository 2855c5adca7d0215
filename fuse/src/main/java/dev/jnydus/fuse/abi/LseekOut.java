package dev.jnydus.fuse.abi;

import java.nio.ByteBuffer;

/** LSEEK reply. C: {@code struct fuse_lseek_out}, 8 bytes, little-endian. */
public record LseekOut(long offset) {
    public static final int SIZE = 8;

    /** Reads {@link #SIZE} bytes at the buffer's position, advancing it; the caller checked the length. */
    public static LseekOut decode(ByteBuffer b) {
        long offset = b.getLong();
        return new LseekOut(offset);
    }

    /** Writes {@link #SIZE} bytes at the buffer's position (padding zeroed), advancing it. */
    public void encode(ByteBuffer b) {
        b.putLong(offset);
    }
}
