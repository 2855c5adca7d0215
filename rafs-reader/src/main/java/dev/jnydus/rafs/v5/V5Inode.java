package dev.jnydus.rafs.v5;

import dev.jnydus.rafs.layout.ChunkRecord;
import dev.jnydus.rafs.layout.MetaBuffer;
import dev.jnydus.rafs.metadata.ChunkRef;
import dev.jnydus.rafs.metadata.FileExtent;
import dev.jnydus.rafs.metadata.RafsFormatException;
import dev.jnydus.rafs.metadata.RafsInode;
import dev.jnydus.rafs.metadata.Xattr;
import java.util.ArrayList;
import java.util.List;

/**
 * One v5 inode record (rafs-format 4.7): the 128-byte header is decoded at construction and
 * validated as upstream does; name, symlink, xattrs and chunk records are read when asked for.
 */
final class V5Inode implements RafsInode {
    static final int HEADER = 128;
    private static final long FLAG_XATTR = 0x4;
    private static final long FLAG_HAS_HOLE = 0x8;

    private final V5Bootstrap sb;
    private final long offset;
    private final long parent;
    private final long ino;
    private final long uid;
    private final long gid;
    private final int mode;
    private final long size;
    private final long blocks;
    private final long flags;
    private final int nlink;
    private final long childIndex;
    private final long childCount;
    private final int nameSize;
    private final int symlinkSize;
    private final long rdev;
    private final int mtimeNsec;
    private final long mtime;

    V5Inode(V5Bootstrap sb, long offset) throws RafsFormatException {
        this.sb = sb;
        this.offset = offset;
        MetaBuffer m = sb.meta;
        m.check(offset, HEADER, "inode record at " + offset);
        this.parent = m.u64(offset + 32, "i_parent");
        this.ino = m.u64(offset + 40, "i_ino");
        this.uid = m.u32(offset + 48, "i_uid");
        this.gid = m.u32(offset + 52, "i_gid");
        this.mode = m.i32(offset + 60, "i_mode");
        this.size = m.u64(offset + 64, "i_size");
        this.blocks = m.u64(offset + 72, "i_blocks");
        this.flags = m.u64(offset + 80, "i_flags");
        this.nlink = m.i32(offset + 88, "i_nlink");
        this.childIndex = m.u32(offset + 92, "i_child_index");
        this.childCount = m.u32(offset + 96, "i_child_count");
        this.nameSize = m.u16(offset + 100, "i_name_size");
        this.symlinkSize = m.u16(offset + 102, "i_symlink_size");
        this.rdev = m.u32(offset + 104, "i_rdev");
        this.mtimeNsec = m.i32(offset + 108, "i_mtime_nsec");
        this.mtime = m.u64(offset + 112, "i_mtime");
        validate();
    }

    private void validate() throws RafsFormatException {
        String where = "inode at " + offset + " (i_ino " + ino + "): ";
        if (ino == 0 || ino > sb.inodeTableEntries) {
            throw new RafsFormatException(where + "invalid i_ino " + ino);
        }
        if (ino != V5Bootstrap.ROOT_INO && parent == 0) {
            throw new RafsFormatException(where + "invalid i_parent 0");
        }
        if (nlink == 0) {
            throw new RafsFormatException(where + "invalid i_nlink 0");
        }
        if (nameSize == 0 || nameSize > 256) {
            throw new RafsFormatException(where + "invalid i_name_size " + nameSize);
        }
        boolean hardlink = isReg() && Integer.toUnsignedLong(nlink) > 1;
        if (!hardlink && ino != V5Bootstrap.ROOT_INO && Long.compareUnsigned(parent, ino) >= 0) {
            throw new RafsFormatException(where + "invalid i_parent " + parent + ": not below i_ino");
        }
        int t = type();
        if (t != S_IFDIR && t != S_IFREG && t != S_IFLNK && t != S_IFCHR && t != S_IFBLK && t != S_IFIFO && t != S_IFSOCK) {
            throw new RafsFormatException(where + "invalid i_mode 0" + Integer.toOctalString(mode));
        }
        if (isSymlink() && symlinkSize == 0) {
            throw new RafsFormatException(where + "symlink with i_symlink_size 0");
        }
        if (mtimeNsec < 0 || mtimeNsec >= 1_000_000_000) {
            throw new RafsFormatException(where + "invalid i_mtime_nsec " + Integer.toUnsignedString(mtimeNsec));
        }
    }

    void checkChildRange() throws RafsFormatException {
        if (childCount == 0) {
            return;
        }
        if (childIndex <= ino || childIndex + childCount - 1 > sb.inodeTableEntries) {
            throw new RafsFormatException("directory inode " + ino + ": invalid children " + childIndex + ".."
                    + (childIndex + childCount - 1) + " (inode table has " + sb.inodeTableEntries + " slots)");
        }
    }

    long childIndex() {
        return childIndex;
    }

    long childCount() {
        return childCount;
    }

    long parent() {
        return parent;
    }

    private static long align8(long v) {
        return (v + 7) & ~7L;
    }

    byte[] name() throws RafsFormatException {
        return sb.meta.bytes(offset + HEADER, nameSize, "name of inode " + ino);
    }

    int compareName(byte[] other) throws RafsFormatException {
        return sb.meta.compareName(offset + HEADER, nameSize, other, "inode name");
    }

    private long symlinkOffset() {
        return offset + HEADER + align8(nameSize);
    }

    private long xattrOffset() {
        return symlinkOffset() + align8(symlinkSize);
    }

    /** The byte count of the xattr pairs, from the u64 that heads the table (only with FLAG_XATTR). */
    private long xattrPayload() throws RafsFormatException {
        long payload = sb.meta.u64(xattrOffset(), "xattr table size of inode " + ino);
        if (payload < 0 || payload > (1L << 24)) {
            throw new RafsFormatException("inode " + ino + ": invalid xattr table size " + payload);
        }
        return payload;
    }

    private long xattrTableSize() throws RafsFormatException {
        return (flags & FLAG_XATTR) == 0 ? 0 : 8 + align8(xattrPayload());
    }

    private long chunksOffset() throws RafsFormatException {
        return xattrOffset() + xattrTableSize();
    }

    @Override
    public long ino() {
        return ino;
    }

    @Override
    public int mode() {
        return mode;
    }

    @Override
    public long uid() {
        return uid;
    }

    @Override
    public long gid() {
        return gid;
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public long blocks() {
        return blocks;
    }

    @Override
    public int nlink() {
        return nlink;
    }

    @Override
    public long rdev() {
        return rdev;
    }

    @Override
    public long mtime() {
        return mtime;
    }

    @Override
    public int mtimeNsec() {
        return mtimeNsec;
    }

    @Override
    public byte[] symlinkTarget() throws RafsFormatException {
        // validate() has refused a symlink with i_symlink_size 0, so the size alone locates the target.
        if (!isSymlink()) {
            return new byte[0];
        }
        return sb.meta.bytes(symlinkOffset(), symlinkSize, "symlink target of inode " + ino);
    }

    @Override
    public List<Xattr> xattrs() throws RafsFormatException {
        if ((flags & FLAG_XATTR) == 0) {
            return List.of();
        }
        MetaBuffer m = sb.meta;
        long table = xattrOffset();
        long payload = xattrPayload();
        m.check(table + 8, payload, "xattr table of inode " + ino);
        List<Xattr> out = new ArrayList<>();
        long pos = table + 8;
        long end = pos + payload;
        while (pos < end) {
            long pairSize = m.u32(pos, "xattr pair size of inode " + ino);
            pos += 4;
            if (pairSize == 0 || pairSize > end - pos) {
                throw new RafsFormatException("inode " + ino + ": invalid xattr pair size " + pairSize);
            }
            byte[] pair = m.bytes(pos, (int) pairSize, "xattr pair of inode " + ino);
            int nul = -1;
            for (int i = 0; i < pair.length; i++) {
                if (pair[i] == 0) {
                    nul = i;
                    break;
                }
            }
            if (nul <= 0) {
                throw new RafsFormatException("inode " + ino + ": xattr pair without a name");
            }
            out.add(new Xattr(java.util.Arrays.copyOf(pair, nul), java.util.Arrays.copyOfRange(pair, nul + 1, pair.length)));
            pos += pairSize;
        }
        return out;
    }

    @Override
    public List<FileExtent> extents(long off, long len) throws RafsFormatException {
        if (!isReg() || off >= size || len <= 0 || off < 0) {
            return List.of();
        }
        long end = Math.min(size, off + Math.min(len, Long.MAX_VALUE - off));
        long cs = sb.chunkSize;
        long base = chunksOffset();
        sb.meta.check(base, childCount * ChunkRecord.SIZE, "chunk records of inode " + ino + " (i_child_count " + childCount + ")");
        if ((flags & FLAG_HAS_HOLE) != 0) {
            return sparseExtents(base, off, end);
        }
        List<FileExtent> out = new ArrayList<>();
        long first = off / cs;
        long last = (end - 1) / cs;
        for (long k = first; k <= last; k++) {
            if (k >= childCount) {
                throw new RafsFormatException("inode " + ino + " of size " + size + " has " + childCount
                        + " chunks, chunk " + k + " is missing");
            }
            ChunkRef c = chunk(base + k * ChunkRecord.SIZE);
            long expectLen = Math.min(cs, size - k * cs);
            if (c.fileOffset() != k * cs || c.uncompressedSize() != expectLen) {
                throw new RafsFormatException("inode " + ino + " chunk " + k + ": file_offset " + c.fileOffset()
                        + " and uncompressed_size " + c.uncompressedSize() + ", expected " + (k * cs) + " and " + expectLen);
            }
            out.add(new FileExtent.Chunk(c));
        }
        return out;
    }

    /** HAS_HOLE files: chunks sit at their own file offsets; uncovered bytes are zeros. */
    private List<FileExtent> sparseExtents(long base, long off, long end) throws RafsFormatException {
        List<FileExtent> out = new ArrayList<>();
        long pos = off;
        for (long k = 0; k < childCount && pos < end; k++) {
            ChunkRef c = chunk(base + k * ChunkRecord.SIZE);
            long cStart = c.fileOffset();
            long cEnd = cStart + c.uncompressedSize();
            if (cEnd <= pos) {
                continue;
            }
            if (cStart < pos && !out.isEmpty()) {
                throw new RafsFormatException("inode " + ino + ": overlapping chunks at file offset " + cStart);
            }
            if (cStart >= end) {
                break;
            }
            if (cStart > pos) {
                out.add(new FileExtent.Hole(pos, cStart - pos));
            }
            out.add(new FileExtent.Chunk(c));
            pos = cEnd;
        }
        if (pos < end) {
            out.add(new FileExtent.Hole(pos, end - pos));
        }
        return out;
    }

    private ChunkRef chunk(long rec) throws RafsFormatException {
        ChunkRef c = ChunkRecord.read(sb.meta, rec, "chunk");
        int blobIndex = c.blobIndex();
        int compSize = c.compressedSize();
        int uncompSize = c.uncompressedSize();
        long compOff = c.compressedOffset();
        long uncompOff = c.uncompressedOffset();
        long fileOff = c.fileOffset();
        if (blobIndex < 0 || blobIndex >= sb.blobs().size()) {
            throw new RafsFormatException("inode " + ino + ": chunk blob_index " + Integer.toUnsignedString(blobIndex)
                    + " outside the blob table (" + sb.blobs().size() + " blobs)");
        }
        if (uncompSize <= 0 || uncompSize > sb.chunkSize || compSize < 0 || compSize > (32 << 20)) {
            throw new RafsFormatException("inode " + ino + ": invalid chunk sizes compressed " + Integer.toUnsignedString(compSize)
                    + " uncompressed " + Integer.toUnsignedString(uncompSize));
        }
        if (compOff < 0 || uncompOff < 0 || fileOff < 0) {
            throw new RafsFormatException("inode " + ino + ": invalid chunk offsets " + compOff + "/" + uncompOff + "/" + fileOff);
        }
        return c;
    }

    @Override
    public String toString() {
        return "V5Inode[ino=" + ino + ", mode=0" + Integer.toOctalString(mode) + ", size=" + size + ", at " + offset + "]";
    }
}
