package dev.jnydus.fuse.abi;

import java.nio.ByteBuffer;

/** LINK arguments (followed by the new name). C: {@code struct fuse_link_in}, 8 bytes, little-endian. */
public record LinkIn(long oldNodeId) {
    public static final int SIZE = 8;

    /** Reads {@link #SIZE} bytes at the buffer's position, advancing it; the caller checked the length. */
    public static LinkIn decode(ByteBuffer b) {
        long oldNodeId = b.getLong();
        return new LinkIn(oldNodeId);
    }

    /** Writes {@link #SIZE} bytes at the buffer's position (padding zeroed), advancing it. */
    public void encode(ByteBuffer b) {
        b.putLong(oldNodeId);
    }
}
