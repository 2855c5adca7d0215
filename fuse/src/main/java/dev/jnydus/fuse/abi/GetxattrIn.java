package dev.jnydus.fuse.abi;

import java.nio.ByteBuffer;

/** GETXATTR and LISTXATTR arguments; size 0 asks for the size only. C: {@code struct fuse_getxattr_in}, 8 bytes, little-endian. */
public record GetxattrIn(int size) {
    public static final int SIZE = 8;

    /** Reads {@link #SIZE} bytes at the buffer's position, advancing it; the caller checked the length. */
    public static GetxattrIn decode(ByteBuffer b) {
        int size = b.getInt();
        b.position(b.position() + 4);
        return new GetxattrIn(size);
    }

    /** Writes {@link #SIZE} bytes at the buffer's position (padding zeroed), advancing it. */
    public void encode(ByteBuffer b) {
        b.putInt(size);
        b.putInt(0);
    }
}
