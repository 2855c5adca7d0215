package dev.jnydus.fuse.abi;

import java.nio.ByteBuffer;

/** GETATTR arguments. C: {@code struct fuse_getattr_in}, 16 bytes, little-endian. */
public record GetattrIn(int getattrFlags, long fh) {
    public static final int SIZE = 16;

    /** Reads {@link #SIZE} bytes at the buffer's position, advancing it; the caller checked the length. */
    public static GetattrIn decode(ByteBuffer b) {
        int getattrFlags = b.getInt();
        b.position(b.position() + 4);
        long fh = b.getLong();
        return new GetattrIn(getattrFlags, fh);
    }

    /** Writes {@link #SIZE} bytes at the buffer's position (padding zeroed), advancing it. */
    public void encode(ByteBuffer b) {
        b.putInt(getattrFlags);
        b.putInt(0);
        b.putLong(fh);
    }
}
