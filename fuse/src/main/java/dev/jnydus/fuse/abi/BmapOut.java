package dev.jnydus.fuse.abi;

import java.nio.ByteBuffer;

/** BMAP reply. C: {@code struct fuse_bmap_out}, 8 bytes, little-endian. */
public record BmapOut(long block) {
    public static final int SIZE = 8;

    /** Reads {@link #SIZE} bytes at the buffer's position, advancing it; the caller checked the length. */
    public static BmapOut decode(ByteBuffer b) {
        long block = b.getLong();
        return new BmapOut(block);
    }

    /** Writes {@link #SIZE} bytes at the buffer's position (padding zeroed), advancing it. */
    public void encode(ByteBuffer b) {
        b.putLong(block);
    }
}
