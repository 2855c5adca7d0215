package dev.jnydus.fuse.abi;

import java.nio.ByteBuffer;

/** FORGET arguments. C: {@code struct fuse_forget_in}, 8 bytes, little-endian. */
public record ForgetIn(long nlookup) {
    public static final int SIZE = 8;

    /** Reads {@link #SIZE} bytes at the buffer's position, advancing it; the caller checked the length. */
    public static ForgetIn decode(ByteBuffer b) {
        long nlookup = b.getLong();
        return new ForgetIn(nlookup);
    }

    /** Writes {@link #SIZE} bytes at the buffer's position (padding zeroed), advancing it. */
    public void encode(ByteBuffer b) {
        b.putLong(nlookup);
    }
}
