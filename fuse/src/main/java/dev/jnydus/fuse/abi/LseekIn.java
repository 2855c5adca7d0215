package dev.jnydus.fuse.abi;

import java.nio.ByteBuffer;

/** LSEEK arguments. C: {@code struct fuse_lseek_in}, 24 bytes, little-endian. */
public record LseekIn(long fh, long offset, int whence) {
    public static final int SIZE = 24;

    /** Reads {@link #SIZE} bytes at the buffer's position, advancing it; the caller checked the length. */
    public static LseekIn decode(ByteBuffer b) {
        long fh = b.getLong();
        long offset = b.getLong();
        int whence = b.getInt();
        b.position(b.position() + 4);
        return new LseekIn(fh, offset, whence);
    }

    /** Writes {@link #SIZE} bytes at the buffer's position (padding zeroed), advancing it. */
    public void encode(ByteBuffer b) {
        b.putLong(fh);
        b.putLong(offset);
        b.putInt(whence);
        b.putInt(0);
    }
}
