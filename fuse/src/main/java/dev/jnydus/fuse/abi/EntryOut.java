package dev.jnydus.fuse.abi;

import java.nio.ByteBuffer;

/** LOOKUP, MKNOD, MKDIR, SYMLINK, LINK reply, and the head of each READDIRPLUS entry. Node id 0 is a negative entry. C: {@code struct fuse_entry_out}, 128 bytes, little-endian. */
public record EntryOut(long nodeId, long generation, long entryValid, long attrValid, int entryValidNsec, int attrValidNsec, FuseAttr attr) {
    public static final int SIZE = 128;

    /** Reads {@link #SIZE} bytes at the buffer's position, advancing it; the caller checked the length. */
    public static EntryOut decode(ByteBuffer b) {
        long nodeId = b.getLong();
        long generation = b.getLong();
        long entryValid = b.getLong();
        long attrValid = b.getLong();
        int entryValidNsec = b.getInt();
        int attrValidNsec = b.getInt();
        FuseAttr attr = FuseAttr.decode(b);
        return new EntryOut(nodeId, generation, entryValid, attrValid, entryValidNsec, attrValidNsec, attr);
    }

    /** Writes {@link #SIZE} bytes at the buffer's position (padding zeroed), advancing it. */
    public void encode(ByteBuffer b) {
        b.putLong(nodeId);
        b.putLong(generation);
        b.putLong(entryValid);
        b.putLong(attrValid);
        b.putInt(entryValidNsec);
        b.putInt(attrValidNsec);
        attr.encode(b);
    }
}
