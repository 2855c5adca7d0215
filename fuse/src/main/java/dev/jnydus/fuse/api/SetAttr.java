package dev.jnydus.fuse.api;

/**
 * A SETATTR request: {@code valid} says which fields carry values (the {@code FATTR_*} bits); the
 * others are meaningless. {@code fh} is valid with {@link #FH}.
 */
public record SetAttr(int valid, long fh, long size, long lockOwner, long atime, int atimeNsec, long mtime,
        int mtimeNsec, long ctime, int ctimeNsec, int mode, int uid, int gid) {
    public static final int MODE = 1;
    public static final int UID = 1 << 1;
    public static final int GID = 1 << 2;
    public static final int SIZE = 1 << 3;
    public static final int ATIME = 1 << 4;
    public static final int MTIME = 1 << 5;
    public static final int FH = 1 << 6;
    public static final int ATIME_NOW = 1 << 7;
    public static final int MTIME_NOW = 1 << 8;
    public static final int LOCKOWNER = 1 << 9;
    public static final int CTIME = 1 << 10;
    public static final int KILL_SUIDGID = 1 << 11;

    public boolean has(int bit) {
        return (valid & bit) != 0;
    }
}
