package dev.jnydus.fuse.abi;

import java.nio.ByteBuffer;

/** FLUSH arguments. C: {@code struct fuse_flush_in}, 24 bytes, little-endian. */
public record FlushIn(long fh, long lockOwner) {
    public static final int SIZE = 24;

    /** Reads {@link #SIZE} bytes at the buffer's position, advancing it; the caller checked the length. */
    public static FlushIn decode(ByteBuffer b) {
        long fh = b.getLong();
        b.position(b.position() + 4);
        b.position(b.position() + 4);
        long lockOwner = b.getLong();
        return new FlushIn(fh, lockOwner);
    }

    /** Writes {@link #SIZE} bytes at the buffer's position (padding zeroed), advancing it. */
    public void encode(ByteBuffer b) {
        b.putLong(fh);
        b.putInt(0);
        b.putInt(0);
        b.putLong(lockOwner);
    }
}
