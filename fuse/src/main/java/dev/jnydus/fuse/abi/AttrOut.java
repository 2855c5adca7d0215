package dev.jnydus.fuse.abi;

import java.nio.ByteBuffer;

/** GETATTR and SETATTR reply. C: {@code struct fuse_attr_out}, 104 bytes, little-endian. */
public record AttrOut(long attrValid, int attrValidNsec, FuseAttr attr) {
    public static final int SIZE = 104;

    /** Reads {@link #SIZE} bytes at the buffer's position, advancing it; the caller checked the length. */
    public static AttrOut decode(ByteBuffer b) {
        long attrValid = b.getLong();
        int attrValidNsec = b.getInt();
        b.position(b.position() + 4);
        FuseAttr attr = FuseAttr.decode(b);
        return new AttrOut(attrValid, attrValidNsec, attr);
    }

    /** Writes {@link #SIZE} bytes at the buffer's position (padding zeroed), advancing it. */
    public void encode(ByteBuffer b) {
        b.putLong(attrValid);
        b.putInt(attrValidNsec);
        b.putInt(0);
        attr.encode(b);
    }
}
