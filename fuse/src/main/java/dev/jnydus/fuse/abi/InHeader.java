package dev.jnydus.fuse.abi;

import java.nio.ByteBuffer;

/** The header the kernel puts before every request. C: {@code struct fuse_in_header}, 40 bytes, little-endian. 16-bit fields are held as unsigned ints. */
public record InHeader(int len, int opcode, long unique, long nodeId, int uid, int gid, int pid, int totalExtLen) {
    public static final int SIZE = 40;

    /** Reads {@link #SIZE} bytes at the buffer's position, advancing it; the caller checked the length. */
    public static InHeader decode(ByteBuffer b) {
        int len = b.getInt();
        int opcode = b.getInt();
        long unique = b.getLong();
        long nodeId = b.getLong();
        int uid = b.getInt();
        int gid = b.getInt();
        int pid = b.getInt();
        int totalExtLen = Short.toUnsignedInt(b.getShort());
        b.position(b.position() + 2);
        return new InHeader(len, opcode, unique, nodeId, uid, gid, pid, totalExtLen);
    }

    /** Writes {@link #SIZE} bytes at the buffer's position (padding zeroed), advancing it. */
    public void encode(ByteBuffer b) {
        b.putInt(len);
        b.putInt(opcode);
        b.putLong(unique);
        b.putLong(nodeId);
        b.putInt(uid);
        b.putInt(gid);
        b.putInt(pid);
        b.putShort((short) totalExtLen);
        b.putShort((short) 0);
    }
}
