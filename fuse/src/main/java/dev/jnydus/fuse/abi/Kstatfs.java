package dev.jnydus.fuse.abi;

import java.nio.ByteBuffer;

/** STATFS reply. C: {@code struct fuse_kstatfs}, 80 bytes, little-endian. */
public record Kstatfs(long blocks, long bfree, long bavail, long files, long ffree, int bsize, int namelen, int frsize) {
    public static final int SIZE = 80;

    /** Reads {@link #SIZE} bytes at the buffer's position, advancing it; the caller checked the length. */
    public static Kstatfs decode(ByteBuffer b) {
        long blocks = b.getLong();
        long bfree = b.getLong();
        long bavail = b.getLong();
        long files = b.getLong();
        long ffree = b.getLong();
        int bsize = b.getInt();
        int namelen = b.getInt();
        int frsize = b.getInt();
        b.position(b.position() + 4);
        b.position(b.position() + 24);
        return new Kstatfs(blocks, bfree, bavail, files, ffree, bsize, namelen, frsize);
    }

    /** Writes {@link #SIZE} bytes at the buffer's position (padding zeroed), advancing it. */
    public void encode(ByteBuffer b) {
        b.putLong(blocks);
        b.putLong(bfree);
        b.putLong(bavail);
        b.putLong(files);
        b.putLong(ffree);
        b.putInt(bsize);
        b.putInt(namelen);
        b.putInt(frsize);
        b.putInt(0);
        b.putLong(0);
        b.putLong(0);
        b.putLong(0);
    }
}
