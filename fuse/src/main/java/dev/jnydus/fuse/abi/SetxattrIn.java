package dev.jnydus.fuse.abi;

import java.nio.ByteBuffer;

/** SETXATTR arguments (without FUSE_SETXATTR_EXT, which we never negotiate). C: {@code struct fuse_setxattr_in}, 8 bytes, little-endian. */
public record SetxattrIn(int size, int flags) {
    public static final int SIZE = 8;

    /** Reads {@link #SIZE} bytes at the buffer's position, advancing it; the caller checked the length. */
    public static SetxattrIn decode(ByteBuffer b) {
        int size = b.getInt();
        int flags = b.getInt();
        return new SetxattrIn(size, flags);
    }

    /** Writes {@link #SIZE} bytes at the buffer's position (padding zeroed), advancing it. */
    public void encode(ByteBuffer b) {
        b.putInt(size);
        b.putInt(flags);
    }
}
