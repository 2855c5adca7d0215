package dev.jnydus.fuse.abi;

import java.nio.ByteBuffer;

/** CREATE and TMPFILE arguments (followed by the name). C: {@code struct fuse_create_in}, 16 bytes, little-endian. */
public record CreateIn(int flags, int mode, int umask, int openFlags) {
    public static final int SIZE = 16;

    /** Reads {@link #SIZE} bytes at the buffer's position, advancing it; the caller checked the length. */
    public static CreateIn decode(ByteBuffer b) {
        int flags = b.getInt();
        int mode = b.getInt();
        int umask = b.getInt();
        int openFlags = b.getInt();
        return new CreateIn(flags, mode, umask, openFlags);
    }

    /** Writes {@link #SIZE} bytes at the buffer's position (padding zeroed), advancing it. */
    public void encode(ByteBuffer b) {
        b.putInt(flags);
        b.putInt(mode);
        b.putInt(umask);
        b.putInt(openFlags);
    }
}
