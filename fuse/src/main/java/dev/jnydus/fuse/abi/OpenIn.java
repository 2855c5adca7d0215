package dev.jnydus.fuse.abi;

import java.nio.ByteBuffer;

/** OPEN and OPENDIR arguments. C: {@code struct fuse_open_in}, 8 bytes, little-endian. */
public record OpenIn(int flags, int openFlags) {
    public static final int SIZE = 8;

    /** Reads {@link #SIZE} bytes at the buffer's position, advancing it; the caller checked the length. */
    public static OpenIn decode(ByteBuffer b) {
        int flags = b.getInt();
        int openFlags = b.getInt();
        return new OpenIn(flags, openFlags);
    }

    /** Writes {@link #SIZE} bytes at the buffer's position (padding zeroed), advancing it. */
    public void encode(ByteBuffer b) {
        b.putInt(flags);
        b.putInt(openFlags);
    }
}
