package dev.jnydus.fuse.abi;

import java.nio.ByteBuffer;

/** RENAME2 arguments (followed by old and new names). C: {@code struct fuse_rename2_in}, 16 bytes, little-endian. */
public record Rename2In(long newDir, int flags) {
    public static final int SIZE = 16;

    /** Reads {@link #SIZE} bytes at the buffer's position, advancing it; the caller checked the length. */
    public static Rename2In decode(ByteBuffer b) {
        long newDir = b.getLong();
        int flags = b.getInt();
        b.position(b.position() + 4);
        return new Rename2In(newDir, flags);
    }

    /** Writes {@link #SIZE} bytes at the buffer's position (padding zeroed), advancing it. */
    public void encode(ByteBuffer b) {
        b.putLong(newDir);
        b.putInt(flags);
        b.putInt(0);
    }
}
