package dev.jnydus.builder;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One entry of the image being built: its attributes as the bootstrap stores them, where its data
 * comes from, its chunks once dumped, and the layout values the bootstrap writers compute.
 * Mutable and confined to the building thread.
 */
final class Node {
    static final int S_IFMT = 0170000;
    static final int S_IFSOCK = 0140000;
    static final int S_IFLNK = 0120000;
    static final int S_IFREG = 0100000;
    static final int S_IFBLK = 0060000;
    static final int S_IFDIR = 0040000;
    static final int S_IFCHR = 0020000;
    static final int S_IFIFO = 0010000;

    /** v5 inode flags. */
    static final long FLAG_SYMLINK = 0x1;
    static final long FLAG_HARDLINK = 0x2;
    static final long FLAG_XATTR = 0x4;

    /** No device number (upstream writes u32::MAX for non-devices from tar sources). */
    static final long NO_RDEV = 0xFFFF_FFFFL;

    /** Path inside the image, "/" for the root; used for messages and prefetch matching. */
    final String path;
    /** Where the data is on disk (directory builds), else {@code null}. */
    final Path source;

    int mode;
    long uid;
    long gid;
    long mtime;
    int mtimeNsec;
    long size;
    /** 32-bit encoded device number, or {@link #NO_RDEV}. */
    long rdev;
    byte[] symlink;
    final Map<byte[], byte[]> xattrs = new TreeMap<>(Arrays::compareUnsigned);

    /** Hardlink identity: (layer, source inode, source device). */
    int layer;
    long srcIno;
    long srcDev = -1;
    /** v5 HARDLINK flag, set by tar sources on a link target and its links. */
    boolean tarHardlink;
    Overlay overlay = Overlay.UPPER_ADDITION;

    List<Chunk> chunks = new ArrayList<>();

    // Layout, computed by BootstrapLayout and the version writers.
    long index;
    long ino;
    int nlink = 1;
    long parentIno;
    long childIndex;
    int childCount;
    byte[] digest;
    long v6Offset;
    long v6DirentsOffset;
    int v6Layout;

    Node(String path, Path source) {
        this.path = path;
        this.source = source;
    }

    int type() {
        return mode & S_IFMT;
    }

    boolean isDir() {
        return type() == S_IFDIR;
    }

    boolean isReg() {
        return type() == S_IFREG;
    }

    boolean isSymlink() {
        return type() == S_IFLNK;
    }

    boolean isChr() {
        return type() == S_IFCHR;
    }

    /** Char/block devices, fifos and sockets: no data, rdev in v6 {@code i_u}. */
    boolean isSpecial() {
        int t = type();
        return t == S_IFCHR || t == S_IFBLK || t == S_IFIFO || t == S_IFSOCK;
    }

    boolean isRoot() {
        return "/".equals(path);
    }

    /** Number of chunks a regular file of this size has. */
    long chunkCount(int chunkSize) {
        return isReg() ? (size + chunkSize - 1) / chunkSize : 0;
    }

    /** v5 xattr payload: each pair is u32 size, name, NUL, value. */
    int xattrSizeV5() {
        int size = 0;
        for (Map.Entry<byte[], byte[]> e : xattrs.entrySet()) {
            size += 4 + e.getKey().length + 1 + e.getValue().length;
        }
        return size;
    }

    /** v6 inline xattr body size: 12-byte header plus 4-byte aligned entries; 0 when none. */
    int xattrSizeV6() {
        if (xattrs.isEmpty()) {
            return 0;
        }
        int size = 12;
        for (Map.Entry<byte[], byte[]> e : xattrs.entrySet()) {
            size += (int) Le.align(4 + e.getKey().length - XattrPrefix.match(e.getKey()).length()
                    + e.getValue().length, 4);
        }
        return size;
    }

    /** {@code i_xattr_icount} for v6. */
    int xattrCountV6() {
        int s = xattrSizeV6();
        return s == 0 ? 0 : (s - 12) / 4 + 1;
    }

    /** Extended inode (64 bytes, always used, as upstream's builders do) plus inline xattrs. */
    long v6InodeSizeWithXattr() {
        return 64 + xattrSizeV6();
    }

    String name() {
        if (isRoot()) {
            return "/";
        }
        return path.substring(path.lastIndexOf('/') + 1);
    }

    byte[] nameBytes() {
        return name().getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return path;
    }
}
