package dev.jnydus.fuse.abi;

import java.nio.ByteBuffer;

/** BATCH_FORGET arguments, followed by {@code count} {@link ForgetOne}s. C: {@code struct fuse_batch_forget_in}, 8 bytes, little-endian. */
public record BatchForgetIn(int count) {
    public static final int SIZE = 8;

    /** Reads {@link #SIZE} bytes at the buffer's position, advancing it; the caller checked the length. */
    public static BatchForgetIn decode(ByteBuffer b) {
        int count = b.getInt();
        b.position(b.position() + 4);
        return new BatchForgetIn(count);
    }

    /** Writes {@link #SIZE} bytes at the buffer's position (padding zeroed), advancing it. */
    public void encode(ByteBuffer b) {
        b.putInt(count);
        b.putInt(0);
    }
}
