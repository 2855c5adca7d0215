package dev.jnydus.fuse.abi;

import java.nio.ByteBuffer;

/** INIT reply. Protocols before 7.5 take 8 bytes of it and before 7.23 take 24 ({@link #COMPAT_SIZE}, {@link #COMPAT_22_SIZE}). C: {@code struct fuse_init_out}, 64 bytes, little-endian. 16-bit fields are held as unsigned ints. */
public record InitOut(int major, int minor, int maxReadahead, int flags, int maxBackground, int congestionThreshold, int maxWrite, int timeGran, int maxPages, int mapAlignment, int flags2, int maxStackDepth) {
    public static final int SIZE = 64;
    /** Size of the reply for protocol minors below 5. */
    public static final int COMPAT_SIZE = 8;
    /** Size of the reply for protocol minors below 23. */
    public static final int COMPAT_22_SIZE = 24;

    /** Reads {@link #SIZE} bytes at the buffer's position, advancing it; the caller checked the length. */
    public static InitOut decode(ByteBuffer b) {
        int major = b.getInt();
        int minor = b.getInt();
        int maxReadahead = b.getInt();
        int flags = b.getInt();
        int maxBackground = Short.toUnsignedInt(b.getShort());
        int congestionThreshold = Short.toUnsignedInt(b.getShort());
        int maxWrite = b.getInt();
        int timeGran = b.getInt();
        int maxPages = Short.toUnsignedInt(b.getShort());
        int mapAlignment = Short.toUnsignedInt(b.getShort());
        int flags2 = b.getInt();
        int maxStackDepth = b.getInt();
        b.position(b.position() + 24);
        return new InitOut(major, minor, maxReadahead, flags, maxBackground, congestionThreshold, maxWrite, timeGran, maxPages, mapAlignment, flags2, maxStackDepth);
    }

    /** Writes {@link #SIZE} bytes at the buffer's position (padding zeroed), advancing it. */
    public void encode(ByteBuffer b) {
        b.putInt(major);
        b.putInt(minor);
        b.putInt(maxReadahead);
        b.putInt(flags);
        b.putShort((short) maxBackground);
        b.putShort((short) congestionThreshold);
        b.putInt(maxWrite);
        b.putInt(timeGran);
        b.putShort((short) maxPages);
        b.putShort((short) mapAlignment);
        b.putInt(flags2);
        b.putInt(maxStackDepth);
        b.putLong(0);
        b.putLong(0);
        b.putLong(0);
    }
}
