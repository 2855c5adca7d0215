package dev.jnydus.fuse.abi;

import java.nio.ByteBuffer;

/** WRITE arguments (followed by the data). C: {@code struct fuse_write_in}, 40 bytes, little-endian. */
public record WriteIn(long fh, long offset, int size, int writeFlags, long lockOwner, int flags) {
    public static final int SIZE = 40;

    /** Reads {@link #SIZE} bytes at the buffer's position, advancing it; the caller checked the length. */
    public static WriteIn decode(ByteBuffer b) {
        long fh = b.getLong();
        long offset = b.getLong();
        int size = b.getInt();
        int writeFlags = b.getInt();
        long lockOwner = b.getLong();
        int flags = b.getInt();
        b.position(b.position() + 4);
        return new WriteIn(fh, offset, size, writeFlags, lockOwner, flags);
    }

    /** Writes {@link #SIZE} bytes at the buffer's position (padding zeroed), advancing it. */
    public void encode(ByteBuffer b) {
        b.putLong(fh);
        b.putLong(offset);
        b.putInt(size);
        b.putInt(writeFlags);
        b.putLong(lockOwner);
        b.putInt(flags);
        b.putInt(0);
    }
}
