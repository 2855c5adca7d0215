package dev.jnydus.fuse.abi;

import java.nio.ByteBuffer;

/** GETLK reply. C: {@code struct fuse_lk_out}, 24 bytes, little-endian. */
public record LkOut(long start, long end, int type, int pid) {
    public static final int SIZE = 24;

    /** Reads {@link #SIZE} bytes at the buffer's position, advancing it; the caller checked the length. */
    public static LkOut decode(ByteBuffer b) {
        long start = b.getLong();
        long end = b.getLong();
        int type = b.getInt();
        int pid = b.getInt();
        return new LkOut(start, end, type, pid);
    }

    /** Writes {@link #SIZE} bytes at the buffer's position (padding zeroed), advancing it. */
    public void encode(ByteBuffer b) {
        b.putLong(start);
        b.putLong(end);
        b.putInt(type);
        b.putInt(pid);
    }
}
