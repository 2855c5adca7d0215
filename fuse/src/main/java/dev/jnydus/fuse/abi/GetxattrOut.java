package dev.jnydus.fuse.abi;

import java.nio.ByteBuffer;

/** GETXATTR and LISTXATTR reply to a size query. C: {@code struct fuse_getxattr_out}, 8 bytes, little-endian. */
public record GetxattrOut(int size) {
    public static final int SIZE = 8;

    /** Reads {@link #SIZE} bytes at the buffer's position, advancing it; the caller checked the length. */
    public static GetxattrOut decode(ByteBuffer b) {
        int size = b.getInt();
        b.position(b.position() + 4);
        return new GetxattrOut(size);
    }

    /** Writes {@link #SIZE} bytes at the buffer's position (padding zeroed), advancing it. */
    public void encode(ByteBuffer b) {
        b.putInt(size);
        b.putInt(0);
    }
}
