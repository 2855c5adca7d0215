package dev.jnydus.fuse.abi;

import java.nio.ByteBuffer;

/** FSYNC and FSYNCDIR arguments. C: {@code struct fuse_fsync_in}, 16 bytes, little-endian. */
public record FsyncIn(long fh, int fsyncFlags) {
    public static final int SIZE = 16;

    /** Reads {@link #SIZE} bytes at the buffer's position, advancing it; the caller checked the length. */
    public static FsyncIn decode(ByteBuffer b) {
        long fh = b.getLong();
        int fsyncFlags = b.getInt();
        b.position(b.position() + 4);
        return new FsyncIn(fh, fsyncFlags);
    }

    /** Writes {@link #SIZE} bytes at the buffer's position (padding zeroed), advancing it. */
    public void encode(ByteBuffer b) {
        b.putLong(fh);
        b.putInt(fsyncFlags);
        b.putInt(0);
    }
}
