package dev.jnydus.fuse.abi;

import java.nio.ByteBuffer;

/** MKDIR arguments (followed by the name). C: {@code struct fuse_mkdir_in}, 8 bytes, little-endian. */
public record MkdirIn(int mode, int umask) {
    public static final int SIZE = 8;

    /** Reads {@link #SIZE} bytes at the buffer's position, advancing it; the caller checked the length. */
    public static MkdirIn decode(ByteBuffer b) {
        int mode = b.getInt();
        int umask = b.getInt();
        return new MkdirIn(mode, umask);
    }

    /** Writes {@link #SIZE} bytes at the buffer's position (padding zeroed), advancing it. */
    public void encode(ByteBuffer b) {
        b.putInt(mode);
        b.putInt(umask);
    }
}
