package dev.jnydus.fuse.abi;

import java.nio.ByteBuffer;

/** READ, READDIR and READDIRPLUS arguments. C: {@code struct fuse_read_in}, 40 bytes, little-endian. */
public record ReadIn(long fh, long offset, int size, int readFlags, long lockOwner, int flags) {
    public static final int SIZE = 40;

    /** Reads {@link #SIZE} bytes at the buffer's position, advancing it; the caller checked the length. */
    public static ReadIn decode(ByteBuffer b) {
        long fh = b.getLong();
        long offset = b.getLong();
        int size = b.getInt();
        int readFlags = b.getInt();
        long lockOwner = b.getLong();
        int flags = b.getInt();
        b.position(b.position() + 4);
        return new ReadIn(fh, offset, size, readFlags, lockOwner, flags);
    }

    /** Writes {@link #SIZE} bytes at the buffer's position (padding zeroed), advancing it. */
    public void encode(ByteBuffer b) {
        b.putLong(fh);
        b.putLong(offset);
        b.putInt(size);
        b.putInt(readFlags);
        b.putLong(lockOwner);
        b.putInt(flags);
        b.putInt(0);
    }
}
