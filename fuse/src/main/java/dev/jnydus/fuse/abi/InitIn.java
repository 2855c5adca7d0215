package dev.jnydus.fuse.abi;

import java.nio.ByteBuffer;

/** INIT arguments. Kernels before 7.36 send the first 16 bytes only; {@code flags2} is valid when {@code flags} has INIT_EXT. C: {@code struct fuse_init_in}, 64 bytes, little-endian. */
public record InitIn(int major, int minor, int maxReadahead, int flags, int flags2) {
    public static final int SIZE = 64;
    /** What kernels before 7.36 send: major, minor, max_readahead, flags. */
    public static final int COMPAT_SIZE = 16;

    /** Reads {@link #SIZE} bytes at the buffer's position, advancing it; the caller checked the length. */
    public static InitIn decode(ByteBuffer b) {
        int major = b.getInt();
        int minor = b.getInt();
        int maxReadahead = b.getInt();
        int flags = b.getInt();
        int flags2 = b.getInt();
        b.position(b.position() + 44);
        return new InitIn(major, minor, maxReadahead, flags, flags2);
    }

    /** Writes {@link #SIZE} bytes at the buffer's position (padding zeroed), advancing it. */
    public void encode(ByteBuffer b) {
        b.putInt(major);
        b.putInt(minor);
        b.putInt(maxReadahead);
        b.putInt(flags);
        b.putInt(flags2);
        b.putLong(0);
        b.putLong(0);
        b.putLong(0);
        b.putLong(0);
        b.putLong(0);
        b.putInt(0);
    }
}
