package dev.jnydus.fuse.abi;

import java.nio.ByteBuffer;

/** BMAP arguments. C: {@code struct fuse_bmap_in}, 16 bytes, little-endian. */
public record BmapIn(long block, int blocksize) {
    public static final int SIZE = 16;

    /** Reads {@link #SIZE} bytes at the buffer's position, advancing it; the caller checked the length. */
    public static BmapIn decode(ByteBuffer b) {
        long block = b.getLong();
        int blocksize = b.getInt();
        b.position(b.position() + 4);
        return new BmapIn(block, blocksize);
    }

    /** Writes {@link #SIZE} bytes at the buffer's position (padding zeroed), advancing it. */
    public void encode(ByteBuffer b) {
        b.putLong(block);
        b.putInt(blocksize);
        b.putInt(0);
    }
}
