package dev.jnydus.fuse.abi;

import java.nio.ByteBuffer;

/** MKNOD arguments (followed by the name). C: {@code struct fuse_mknod_in}, 16 bytes, little-endian. */
public record MknodIn(int mode, int rdev, int umask) {
    public static final int SIZE = 16;

    /** Reads {@link #SIZE} bytes at the buffer's position, advancing it; the caller checked the length. */
    public static MknodIn decode(ByteBuffer b) {
        int mode = b.getInt();
        int rdev = b.getInt();
        int umask = b.getInt();
        b.position(b.position() + 4);
        return new MknodIn(mode, rdev, umask);
    }

    /** Writes {@link #SIZE} bytes at the buffer's position (padding zeroed), advancing it. */
    public void encode(ByteBuffer b) {
        b.putInt(mode);
        b.putInt(rdev);
        b.putInt(umask);
        b.putInt(0);
    }
}
