package dev.jnydus.fuse.abi;

import java.nio.ByteBuffer;

/** GETLK, SETLK and SETLKW arguments. C: {@code struct fuse_lk_in}, 48 bytes, little-endian. */
public record LkIn(long fh, long owner, long start, long end, int type, int pid, int lkFlags) {
    public static final int SIZE = 48;

    /** Reads {@link #SIZE} bytes at the buffer's position, advancing it; the caller checked the length. */
    public static LkIn decode(ByteBuffer b) {
        long fh = b.getLong();
        long owner = b.getLong();
        long start = b.getLong();
        long end = b.getLong();
        int type = b.getInt();
        int pid = b.getInt();
        int lkFlags = b.getInt();
        b.position(b.position() + 4);
        return new LkIn(fh, owner, start, end, type, pid, lkFlags);
    }

    /** Writes {@link #SIZE} bytes at the buffer's position (padding zeroed), advancing it. */
    public void encode(ByteBuffer b) {
        b.putLong(fh);
        b.putLong(owner);
        b.putLong(start);
        b.putLong(end);
        b.putInt(type);
        b.putInt(pid);
        b.putInt(lkFlags);
        b.putInt(0);
    }
}
