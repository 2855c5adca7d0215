package dev.jnydus.fuse.abi;

import java.nio.ByteBuffer;

/** ACCESS arguments. C: {@code struct fuse_access_in}, 8 bytes, little-endian. */
public record AccessIn(int mask) {
    public static final int SIZE = 8;

    /** Reads {@link #SIZE} bytes at the buffer's position, advancing it; the caller checked the length. */
    public static AccessIn decode(ByteBuffer b) {
        int mask = b.getInt();
        b.position(b.position() + 4);
        return new AccessIn(mask);
    }

    /** Writes {@link #SIZE} bytes at the buffer's position (padding zeroed), advancing it. */
    public void encode(ByteBuffer b) {
        b.putInt(mask);
        b.putInt(0);
    }
}
