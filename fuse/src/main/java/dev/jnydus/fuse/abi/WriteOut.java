package dev.jnydus.fuse.abi;

import java.nio.ByteBuffer;

/** WRITE and COPY_FILE_RANGE reply. C: {@code struct fuse_write_out}, 8 bytes, little-endian. */
public record WriteOut(int size) {
    public static final int SIZE = 8;

    /** Reads {@link #SIZE} bytes at the buffer's position, advancing it; the caller checked the length. */
    public static WriteOut decode(ByteBuffer b) {
        int size = b.getInt();
        b.position(b.position() + 4);
        return new WriteOut(size);
    }

    /** Writes {@link #SIZE} bytes at the buffer's position (padding zeroed), advancing it. */
    public void encode(ByteBuffer b) {
        b.putInt(size);
        b.putInt(0);
    }
}
