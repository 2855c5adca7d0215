package dev.jnydus.fuse.abi;

import java.nio.ByteBuffer;

/** File attributes inside entry and attr replies. C: {@code struct fuse_attr}, 88 bytes, little-endian. */
public record FuseAttr(long ino, long size, long blocks, long atime, long mtime, long ctime, int atimeNsec, int mtimeNsec, int ctimeNsec, int mode, int nlink, int uid, int gid, int rdev, int blksize, int flags) {
    public static final int SIZE = 88;

    /** Reads {@link #SIZE} bytes at the buffer's position, advancing it; the caller checked the length. */
    public static FuseAttr decode(ByteBuffer b) {
        long ino = b.getLong();
        long size = b.getLong();
        long blocks = b.getLong();
        long atime = b.getLong();
        long mtime = b.getLong();
        long ctime = b.getLong();
        int atimeNsec = b.getInt();
        int mtimeNsec = b.getInt();
        int ctimeNsec = b.getInt();
        int mode = b.getInt();
        int nlink = b.getInt();
        int uid = b.getInt();
        int gid = b.getInt();
        int rdev = b.getInt();
        int blksize = b.getInt();
        int flags = b.getInt();
        return new FuseAttr(ino, size, blocks, atime, mtime, ctime, atimeNsec, mtimeNsec, ctimeNsec, mode, nlink, uid, gid, rdev, blksize, flags);
    }

    /** Writes {@link #SIZE} bytes at the buffer's position (padding zeroed), advancing it. */
    public void encode(ByteBuffer b) {
        b.putLong(ino);
        b.putLong(size);
        b.putLong(blocks);
        b.putLong(atime);
        b.putLong(mtime);
        b.putLong(ctime);
        b.putInt(atimeNsec);
        b.putInt(mtimeNsec);
        b.putInt(ctimeNsec);
        b.putInt(mode);
        b.putInt(nlink);
        b.putInt(uid);
        b.putInt(gid);
        b.putInt(rdev);
        b.putInt(blksize);
        b.putInt(flags);
    }
}
