package dev.jnydus.fuse.api;

/**
 * File attributes as the kernel caches them ({@code struct fuse_attr}). Times are seconds since the
 * epoch plus nanoseconds; {@code blocks} counts 512-byte units; {@code mode} includes the type
 * bits; {@code rdev} is in the kernel's 32-bit {@code new_encode_dev} layout; {@code blksize} is the
 * preferred I/O size (0 lets the kernel pick). {@code ino} is the st_ino userspace sees; it need not
 * equal the FUSE node id.
 */
public record Attr(long ino, long size, long blocks, long atime, int atimeNsec, long mtime, int mtimeNsec,
        long ctime, int ctimeNsec, int mode, int nlink, int uid, int gid, int rdev, int blksize, int flags) {

    public static final int S_IFMT = 0170000;
    public static final int S_IFSOCK = 0140000;
    public static final int S_IFLNK = 0120000;
    public static final int S_IFREG = 0100000;
    public static final int S_IFBLK = 0060000;
    public static final int S_IFDIR = 0040000;
    public static final int S_IFCHR = 0020000;
    public static final int S_IFIFO = 0010000;

    /** The directory-entry type ({@code DT_*}) matching {@link #mode}: the type bits shifted down by 12. */
    public int dtype() {
        return (mode & S_IFMT) >>> 12;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Builds an {@link Attr}; every field starts at 0. */
    public static final class Builder {
        private long ino;
        private long size;
        private long blocks;
        private long atime;
        private int atimeNsec;
        private long mtime;
        private int mtimeNsec;
        private long ctime;
        private int ctimeNsec;
        private int mode;
        private int nlink;
        private int uid;
        private int gid;
        private int rdev;
        private int blksize;
        private int flags;

        private Builder() {
        }

        public Builder ino(long v) {
            ino = v;
            return this;
        }

        public Builder size(long v) {
            size = v;
            return this;
        }

        public Builder blocks(long v) {
            blocks = v;
            return this;
        }

        public Builder atime(long sec, int nsec) {
            atime = sec;
            atimeNsec = nsec;
            return this;
        }

        public Builder mtime(long sec, int nsec) {
            mtime = sec;
            mtimeNsec = nsec;
            return this;
        }

        public Builder ctime(long sec, int nsec) {
            ctime = sec;
            ctimeNsec = nsec;
            return this;
        }

        /** Sets atime, mtime and ctime to the same instant. */
        public Builder times(long sec, int nsec) {
            return atime(sec, nsec).mtime(sec, nsec).ctime(sec, nsec);
        }

        public Builder mode(int v) {
            mode = v;
            return this;
        }

        public Builder nlink(int v) {
            nlink = v;
            return this;
        }

        public Builder uid(int v) {
            uid = v;
            return this;
        }

        public Builder gid(int v) {
            gid = v;
            return this;
        }

        public Builder rdev(int v) {
            rdev = v;
            return this;
        }

        public Builder blksize(int v) {
            blksize = v;
            return this;
        }

        public Builder flags(int v) {
            flags = v;
            return this;
        }

        public Attr build() {
            return new Attr(ino, size, blocks, atime, atimeNsec, mtime, mtimeNsec, ctime, ctimeNsec, mode, nlink,
                    uid, gid, rdev, blksize, flags);
        }
    }
}
