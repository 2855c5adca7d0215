package dev.jnydus.fuse.abi;

import java.nio.ByteBuffer;

/** OPEN, OPENDIR and the second half of CREATE replies. C: {@code struct fuse_open_out}, 16 bytes, little-endian. */
public record OpenOut(long fh, int openFlags, int backingId) {
    public static final int SIZE = 16;

    /** Reads {@link #SIZE} bytes at the buffer's position, advancing it; the caller checked the length. */
    public static OpenOut decode(ByteBuffer b) {
        long fh = b.getLong();
        int openFlags = b.getInt();
        int backingId = b.getInt();
        return new OpenOut(fh, openFlags, backingId);
    }

    /** Writes {@link #SIZE} bytes at the buffer's position (padding zeroed), advancing it. */
    public void encode(ByteBuffer b) {
        b.putLong(fh);
        b.putInt(openFlags);
        b.putInt(backingId);
    }
}
