package dev.jnydus.fuse.abi;

import java.nio.ByteBuffer;

/** RELEASE and RELEASEDIR arguments. C: {@code struct fuse_release_in}, 24 bytes, little-endian. */
public record ReleaseIn(long fh, int flags, int releaseFlags, long lockOwner) {
    public static final int SIZE = 24;

    /** Reads {@link #SIZE} bytes at the buffer's position, advancing it; the caller checked the length. */
    public static ReleaseIn decode(ByteBuffer b) {
        long fh = b.getLong();
        int flags = b.getInt();
        int releaseFlags = b.getInt();
        long lockOwner = b.getLong();
        return new ReleaseIn(fh, flags, releaseFlags, lockOwner);
    }

    /** Writes {@link #SIZE} bytes at the buffer's position (padding zeroed), advancing it. */
    public void encode(ByteBuffer b) {
        b.putLong(fh);
        b.putInt(flags);
        b.putInt(releaseFlags);
        b.putLong(lockOwner);
    }
}
