package dev.jnydus.fuse.abi;

import java.nio.ByteBuffer;

/** RENAME arguments (followed by old and new names). C: {@code struct fuse_rename_in}, 8 bytes, little-endian. */
public record RenameIn(long newDir) {
    public static final int SIZE = 8;

    /** Reads {@link #SIZE} bytes at the buffer's position, advancing it; the caller checked the length. */
    public static RenameIn decode(ByteBuffer b) {
        long newDir = b.getLong();
        return new RenameIn(newDir);
    }

    /** Writes {@link #SIZE} bytes at the buffer's position (padding zeroed), advancing it. */
    public void encode(ByteBuffer b) {
        b.putLong(newDir);
    }
}
