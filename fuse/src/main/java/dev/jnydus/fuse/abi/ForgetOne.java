package dev.jnydus.fuse.abi;

import java.nio.ByteBuffer;

/** One node in a BATCH_FORGET. C: {@code struct fuse_forget_one}, 16 bytes, little-endian. */
public record ForgetOne(long nodeId, long nlookup) {
    public static final int SIZE = 16;

    /** Reads {@link #SIZE} bytes at the buffer's position, advancing it; the caller checked the length. */
    public static ForgetOne decode(ByteBuffer b) {
        long nodeId = b.getLong();
        long nlookup = b.getLong();
        return new ForgetOne(nodeId, nlookup);
    }

    /** Writes {@link #SIZE} bytes at the buffer's position (padding zeroed), advancing it. */
    public void encode(ByteBuffer b) {
        b.putLong(nodeId);
        b.putLong(nlookup);
    }
}
