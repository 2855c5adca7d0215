package dev.jnydus.fuse.abi;

import java.nio.ByteBuffer;

/** FALLOCATE arguments. C: {@code struct fuse_fallocate_in}, 32 bytes, little-endian. */
public record FallocateIn(long fh, long offset, long length, int mode) {
    public static final int SIZE = 32;

    /** Reads {@link #SIZE} bytes at the buffer's position, advancing it; the caller checked the length. */
    public static FallocateIn decode(ByteBuffer b) {
        long fh = b.getLong();
        long offset = b.getLong();
        long length = b.getLong();
        int mode = b.getInt();
        b.position(b.position() + 4);
        return new FallocateIn(fh, offset, length, mode);
    }

    /** Writes {@link #SIZE} bytes at the buffer's position (padding zeroed), advancing it. */
    public void encode(ByteBuffer b) {
        b.putLong(fh);
        b.putLong(offset);
        b.putLong(length);
        b.putInt(mode);
        b.putInt(0);
    }
}
