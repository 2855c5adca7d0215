package dev.jnydus.fuse.abi;

import java.nio.ByteBuffer;

/** SETATTR arguments; {@code valid} says which fields are set (FATTR_* bits). C: {@code struct fuse_setattr_in}, 88 bytes, little-endian. */
public record SetattrIn(int valid, long fh, long size, long lockOwner, long atime, long mtime, long ctime, int atimeNsec, int mtimeNsec, int ctimeNsec, int mode, int uid, int gid) {
    public static final int SIZE = 88;

    /** Reads {@link #SIZE} bytes at the buffer's position, advancing it; the caller checked the length. */
    public static SetattrIn decode(ByteBuffer b) {
        int valid = b.getInt();
        b.position(b.position() + 4);
        long fh = b.getLong();
        long size = b.getLong();
        long lockOwner = b.getLong();
        long atime = b.getLong();
        long mtime = b.getLong();
        long ctime = b.getLong();
        int atimeNsec = b.getInt();
        int mtimeNsec = b.getInt();
        int ctimeNsec = b.getInt();
        int mode = b.getInt();
        b.position(b.position() + 4);
        int uid = b.getInt();
        int gid = b.getInt();
        b.position(b.position() + 4);
        return new SetattrIn(valid, fh, size, lockOwner, atime, mtime, ctime, atimeNsec, mtimeNsec, ctimeNsec, mode, uid, gid);
    }

    /** Writes {@link #SIZE} bytes at the buffer's position (padding zeroed), advancing it. */
    public void encode(ByteBuffer b) {
        b.putInt(valid);
        b.putInt(0);
        b.putLong(fh);
        b.putLong(size);
        b.putLong(lockOwner);
        b.putLong(atime);
        b.putLong(mtime);
        b.putLong(ctime);
        b.putInt(atimeNsec);
        b.putInt(mtimeNsec);
        b.putInt(ctimeNsec);
        b.putInt(mode);
        b.putInt(0);
        b.putInt(uid);
        b.putInt(gid);
        b.putInt(0);
    }
}
