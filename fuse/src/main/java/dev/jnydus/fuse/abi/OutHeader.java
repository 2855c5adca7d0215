package dev.jnydus.fuse.abi;

import java.nio.ByteBuffer;

/** The header before every reply; {@code error} is zero or a negated errno. C: {@code struct fuse_out_header}, 16 bytes, little-endian. */
public record OutHeader(int len, int error, long unique) {
    public static final int SIZE = 16;

    /** Reads {@link #SIZE} bytes at the buffer's position, advancing it; the caller checked the length. */
    public static OutHeader decode(ByteBuffer b) {
        int len = b.getInt();
        int error = b.getInt();
        long unique = b.getLong();
        return new OutHeader(len, error, unique);
    }

    /** Writes {@link #SIZE} bytes at the buffer's position (padding zeroed), advancing it. */
    public void encode(ByteBuffer b) {
        b.putInt(len);
        b.putInt(error);
        b.putLong(unique);
    }
}
