package dev.jnydus.rafs.metadata;

import java.util.List;

/**
 * One inode, decoded from the bootstrap on demand. Values are reported as stored; runtime policy
 * (uid/gid when the image has no explicit ones, mtime 0, root mode) belongs to the filesystem
 * layer. Methods that decode more of the record may throw {@link RafsFormatException}.
 */
public interface RafsInode {
    int S_IFMT = 0170000;
    int S_IFSOCK = 0140000;
    int S_IFLNK = 0120000;
    int S_IFREG = 0100000;
    int S_IFBLK = 0060000;
    int S_IFDIR = 0040000;
    int S_IFCHR = 0020000;
    int S_IFIFO = 0010000;

    /** The inode number nydusd reports: v5 {@code i_ino}, v6 the nid. */
    long ino();

    int mode();

    long uid();

    long gid();

    long size();

    /** 512-byte blocks. */
    long blocks();

    int nlink();

    /** Device number in the 32-bit Linux {@code dev_t} layout, 0 when none. */
    long rdev();

    long mtime();

    int mtimeNsec();

    default int type() {
        return mode() & S_IFMT;
    }

    default boolean isDir() {
        return type() == S_IFDIR;
    }

    default boolean isReg() {
        return type() == S_IFREG;
    }

    default boolean isSymlink() {
        return type() == S_IFLNK;
    }

    /** The symlink target; empty for other types. */
    byte[] symlinkTarget() throws RafsFormatException;

    /** All extended attributes, full names. */
    List<Xattr> xattrs() throws RafsFormatException;

    /** The value of one attribute, or {@code null}. */
    default byte[] xattr(byte[] name) throws RafsFormatException {
        for (Xattr x : xattrs()) {
            if (java.util.Arrays.equals(x.name(), name)) {
                return x.value();
            }
        }
        return null;
    }

    /**
     * The extents covering {@code [offset, offset + length)} of a regular file, clamped to its size,
     * in file order. Empty for other types or past the end.
     */
    List<FileExtent> extents(long offset, long length) throws RafsFormatException;
}
