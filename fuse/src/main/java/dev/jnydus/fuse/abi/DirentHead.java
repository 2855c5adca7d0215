package dev.jnydus.fuse.abi;

import java.nio.ByteBuffer;

/** The fixed head of one READDIR entry; the name follows, padded to 8 bytes. C: {@code struct fuse_dirent}, 24 bytes, little-endian. */
public record DirentHead(long ino, long off, int namelen, int type) {
    public static final int SIZE = 24;

    /** Reads {@link #SIZE} bytes at the buffer's position, advancing it; the caller checked the length. */
    public static DirentHead decode(ByteBuffer b) {
        long ino = b.getLong();
        long off = b.getLong();
        int namelen = b.getInt();
        int type = b.getInt();
        return new DirentHead(ino, off, namelen, type);
    }

    /** Writes {@link #SIZE} bytes at the buffer's position (padding zeroed), advancing it. */
    public void encode(ByteBuffer b) {
        b.putLong(ino);
        b.putLong(off);
        b.putInt(namelen);
        b.putInt(type);
    }
}
