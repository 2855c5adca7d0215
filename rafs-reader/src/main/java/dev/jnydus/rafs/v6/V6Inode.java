package dev.jnydus.rafs.v6;

import dev.jnydus.rafs.layout.MetaBuffer;
import dev.jnydus.rafs.metadata.ChunkRef;
import dev.jnydus.rafs.metadata.FileExtent;
import dev.jnydus.rafs.metadata.RafsFormatException;
import dev.jnydus.rafs.metadata.RafsInode;
import dev.jnydus.rafs.metadata.Xattr;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One EROFS inode at {@code meta_base + nid * 32}, compact (32 bytes) or extended (64 bytes). The
 * fixed part is decoded at construction; xattrs, directory blocks and chunk indexes when asked.
 */
final class V6Inode implements RafsInode {
    static final int LAYOUT_FLAT_PLAIN = 0;
    static final int LAYOUT_FLAT_INLINE = 2;
    static final int LAYOUT_CHUNK_BASED = 4;
    static final long NULL_ADDR = 0xFFFF_FFFFL;
    private static final int CHUNK_FORMAT_BLKBITS_MASK = 0x1F;
    private static final int CHUNK_FORMAT_INDEXES = 0x20;
    private static final int MAX_SYMLINK = 4096;

    private final V6Bootstrap sb;
    private final long nid;
    final long offset;
    final int inodeSize;
    final int layout;
    private final int xattrCount;
    private final int mode;
    private final long size;
    final long iu;
    private final long uid;
    private final long gid;
    private final long mtime;
    private final int mtimeNsec;
    private final int nlink;

    V6Inode(V6Bootstrap sb, long nid) throws RafsFormatException {
        this.sb = sb;
        this.nid = nid;
        MetaBuffer m = sb.meta;
        if (nid < 0 || nid > (m.size() - sb.metaBase) / 32) {
            throw new RafsFormatException("invalid nid " + nid + ": outside the metadata area");
        }
        this.offset = sb.metaBase + nid * 32;
        int format = m.u16(offset, "i_format of nid " + nid);
        if ((format & ~0xF) != 0) {
            throw new RafsFormatException("nid " + nid + ": invalid i_format 0x" + Integer.toHexString(format));
        }
        boolean extended = (format & 1) != 0;
        this.inodeSize = extended ? 64 : 32;
        this.layout = (format >> 1) & 0x7;
        m.check(offset, inodeSize, "inode of nid " + nid);
        this.xattrCount = m.u16(offset + 2, "i_xattr_icount");
        this.mode = m.u16(offset + 4, "i_mode");
        this.iu = m.u32(offset + 16, "i_u");
        if (extended) {
            this.size = m.u64(offset + 8, "i_size");
            this.uid = m.u32(offset + 24, "i_uid");
            this.gid = m.u32(offset + 28, "i_gid");
            this.mtime = m.u64(offset + 32, "i_mtime");
            this.mtimeNsec = m.i32(offset + 40, "i_mtime_nsec");
            this.nlink = m.i32(offset + 44, "i_nlink");
        } else {
            this.size = m.u32(offset + 8, "i_size");
            this.uid = m.u16(offset + 24, "i_uid");
            this.gid = m.u16(offset + 26, "i_gid");
            // Compact inodes store mtime relative to the superblock build time, as the kernel reads it.
            this.mtime = sb.buildTime + m.u32(offset + 12, "i_mtime");
            this.mtimeNsec = sb.buildTimeNsec;
            this.nlink = m.u16(offset + 6, "i_nlink");
        }
        validate();
    }

    private void validate() throws RafsFormatException {
        String where = "nid " + nid + ": ";
        int t = type();
        if (t != S_IFDIR && t != S_IFREG && t != S_IFLNK && t != S_IFCHR && t != S_IFBLK && t != S_IFIFO && t != S_IFSOCK) {
            throw new RafsFormatException(where + "invalid i_mode 0" + Integer.toOctalString(mode));
        }
        if (size < 0) {
            throw new RafsFormatException(where + "invalid i_size " + Long.toUnsignedString(size));
        }
        if (mtimeNsec < 0 || mtimeNsec >= 1_000_000_000) {
            throw new RafsFormatException(where + "invalid i_mtime_nsec " + Integer.toUnsignedString(mtimeNsec));
        }
        if (t == S_IFDIR || t == S_IFLNK) {
            if (layout != LAYOUT_FLAT_PLAIN && layout != LAYOUT_FLAT_INLINE) {
                throw new RafsFormatException(where + "unsupported data layout " + layout + " for a "
                        + (t == S_IFDIR ? "directory" : "symlink"));
            }
        } else if (t == S_IFREG) {
            if (layout != LAYOUT_FLAT_PLAIN && layout != LAYOUT_FLAT_INLINE && layout != LAYOUT_CHUNK_BASED) {
                throw new RafsFormatException(where + "unsupported data layout " + layout
                        + (layout == 1 || layout == 3 ? " (compressed EROFS files are not supported)" : ""));
            }
            if (sb.rafs && layout != LAYOUT_CHUNK_BASED) {
                throw new RafsFormatException(where + "RAFS regular file with data layout " + layout);
            }
        }
        if (t == S_IFLNK && (size == 0 || size > MAX_SYMLINK)) {
            throw new RafsFormatException(where + "invalid symlink size " + size);
        }
    }

    long nid() {
        return nid;
    }

    MetaBuffer sbMeta() {
        return sb.meta;
    }

    long sbBlockSize() {
        return sb.blockSize;
    }

    /** Size of the inline xattr area that follows the inode. */
    int xattrAreaSize() {
        return xattrCount == 0 ? 0 : 12 + (xattrCount - 1) * 4;
    }

    /** Offset of the data that sits right after the inode and its xattrs (inline tail, chunk array). */
    long afterXattrs() {
        return offset + inodeSize + xattrAreaSize();
    }

    @Override
    public long ino() {
        return nid;
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
        if (sb.rafs) {
            return (size + 511) / 512;
        }
        long bs = sb.blockSize;
        return ((size + bs - 1) / bs * bs) >> 9;
    }

    @Override
    public int nlink() {
        return nlink;
    }

    @Override
    public long rdev() {
        int t = type();
        return t == S_IFCHR || t == S_IFBLK || t == S_IFIFO || t == S_IFSOCK ? iu : 0;
    }

    @Override
    public long mtime() {
        return mtime;
    }

    @Override
    public int mtimeNsec() {
        return mtimeNsec;
    }

    /**
     * Where logical data block {@code b} of a flat (plain or inline) inode lies, and how many of its
     * bytes belong to the inode.
     */
    long[] flatBlock(long b) throws RafsFormatException {
        long bs = sb.blockSize;
        long nblocks = (size + bs - 1) / bs;
        if (b < 0 || b >= nblocks) {
            throw new RafsFormatException("nid " + nid + ": block " + b + " past the end (" + nblocks + " blocks)");
        }
        long len = Math.min(bs, size - b * bs);
        long at;
        if (layout == LAYOUT_FLAT_INLINE && b == nblocks - 1) {
            at = afterXattrs();
            if ((at % bs) + len > bs) {
                throw new RafsFormatException("nid " + nid + ": inline tail of " + len + " bytes crosses a block boundary");
            }
        } else {
            if (iu == NULL_ADDR) {
                throw new RafsFormatException("nid " + nid + ": data block address is null");
            }
            at = (iu + b) * bs;
        }
        sb.meta.check(at, len, "data block " + b + " of nid " + nid);
        return new long[] {at, len};
    }

    @Override
    public byte[] symlinkTarget() throws RafsFormatException {
        if (!isSymlink()) {
            return new byte[0];
        }
        byte[] out = new byte[(int) size];
        int pos = 0;
        for (long b = 0; pos < out.length; b++) {
            long[] blk = flatBlock(b);
            byte[] part = sb.meta.bytes(blk[0], (int) blk[1], "symlink target of nid " + nid);
            System.arraycopy(part, 0, out, pos, part.length);
            pos += part.length;
        }
        return out;
    }

    @Override
    public List<Xattr> xattrs() throws RafsFormatException {
        if (xattrCount == 0) {
            return List.of();
        }
        MetaBuffer m = sb.meta;
        long start = offset + inodeSize;
        long end = start + xattrAreaSize();
        m.check(start, end - start, "xattrs of nid " + nid);
        int shared = m.u8(start + 4, "h_shared_count");
        long pos = start + 12;
        if (pos + 4L * shared > end) {
            throw new RafsFormatException("nid " + nid + ": invalid h_shared_count " + shared);
        }
        List<Xattr> out = new ArrayList<>();
        for (int i = 0; i < shared; i++) {
            long id = m.u32(pos, "shared xattr id");
            pos += 4;
            if (sb.rafs) {
                throw new RafsFormatException("nid " + nid + ": shared xattr in a RAFS image");
            }
            out.add(entry(sb.xattrBase + id * 4, Long.MAX_VALUE));
        }
        while (pos < end) {
            if (end - pos < 4) {
                throw new RafsFormatException("nid " + nid + ": truncated xattr entry");
            }
            Xattr x = entry(pos, end);
            out.add(x);
            int nameLen = m.u8(pos, "e_name_len");
            int valueLen = m.u16(pos + 2, "e_value_size");
            pos += (4 + nameLen + valueLen + 3) & ~3L;
        }
        return out;
    }

    private Xattr entry(long pos, long end) throws RafsFormatException {
        MetaBuffer m = sb.meta;
        int nameLen = m.u8(pos, "e_name_len");
        int index = m.u8(pos + 1, "e_name_index");
        int valueLen = m.u16(pos + 2, "e_value_size");
        if (pos + 4 + nameLen + valueLen > end) {
            throw new RafsFormatException("nid " + nid + ": xattr entry runs past the xattr area");
        }
        String prefix = switch (index) {
            case 1 -> "user.";
            case 2 -> "system.posix_acl_access";
            case 3 -> "system.posix_acl_default";
            case 4 -> "trusted.";
            case 5 -> "lustre.";
            case 6 -> "security.";
            default -> throw new RafsFormatException("nid " + nid + ": unsupported xattr name index " + index);
        };
        byte[] suffix = m.bytes(pos + 4, nameLen, "xattr name");
        byte[] p = prefix.getBytes(StandardCharsets.US_ASCII);
        byte[] name = new byte[p.length + suffix.length];
        System.arraycopy(p, 0, name, 0, p.length);
        System.arraycopy(suffix, 0, name, p.length, suffix.length);
        if (name.length == 0 || name.length > 255) {
            throw new RafsFormatException("nid " + nid + ": invalid xattr name length " + name.length);
        }
        return new Xattr(name, m.bytes(pos + 4 + nameLen, valueLen, "xattr value"));
    }

    @Override
    public List<FileExtent> extents(long off, long len) throws RafsFormatException {
        if (!isReg() || off < 0 || off >= size || len <= 0) {
            return List.of();
        }
        long end = Math.min(size, off + Math.min(len, Long.MAX_VALUE - off));
        if (layout == LAYOUT_CHUNK_BASED) {
            return sb.rafs ? rafsChunks(off, end) : erofsChunks(off, end);
        }
        List<FileExtent> out = new ArrayList<>();
        long bs = sb.blockSize;
        for (long b = off / bs; b * bs < end; b++) {
            long[] blk = flatBlock(b);
            long from = Math.max(off, b * bs);
            long to = Math.min(end, b * bs + blk[1]);
            long at = blk[0] + (from - b * bs);
            FileExtent.Inline prev = out.isEmpty() ? null : (FileExtent.Inline) out.get(out.size() - 1);
            if (prev != null && prev.bootstrapOffset() + prev.length() == at) {
                out.set(out.size() - 1, new FileExtent.Inline(prev.fileOffset(), prev.length() + (to - from),
                        prev.bootstrapOffset()));
            } else {
                out.add(new FileExtent.Inline(from, to - from, at));
            }
        }
        return out;
    }

    private long chunkArray(int unit) throws RafsFormatException {
        long start = afterXattrs();
        return (start + unit - 1) / unit * unit;
    }

    /** RAFS: entry k covers {@code [k * s_chunk_size, ...)} and names a chunk-table record. */
    private List<FileExtent> rafsChunks(long off, long end) throws RafsFormatException {
        int format = (int) (iu & 0xFFFF);
        if ((format & CHUNK_FORMAT_INDEXES) == 0 || (iu >>> 16) != 0) {
            throw new RafsFormatException("nid " + nid + ": invalid chunk format 0x" + Long.toHexString(iu));
        }
        long cs = sb.chunkSize;
        long count = (size + cs - 1) / cs;
        long base = chunkArray(8);
        sb.meta.check(base, count * 8, "chunk indexes of nid " + nid + " (" + count + " chunks)");
        List<FileExtent> out = new ArrayList<>();
        for (long k = off / cs; k * cs < end; k++) {
            long e = base + k * 8;
            int lo = sb.meta.u16(e, "chunk index blob_addr_lo");
            int hi = sb.meta.u16(e + 2, "chunk index blob_addr_hi");
            long blkaddr = sb.meta.u32(e + 4, "chunk index blkaddr");
            long length = Math.min(cs, size - k * cs);
            if (blkaddr == NULL_ADDR) {
                out.add(new FileExtent.Hole(k * cs, length));
                continue;
            }
            int blobIndex = (hi & 0xFF) - 1;
            int ci = ((hi >> 8) << 16) | lo;
            if (blobIndex < 0 || blobIndex >= sb.blobs().size()) {
                throw new RafsFormatException("nid " + nid + " chunk " + k + ": invalid blob index " + blobIndex);
            }
            ChunkRef rec = sb.chunkTable.find(blobIndex, ci, blkaddr);
            if (rec == null) {
                throw new RafsFormatException("nid " + nid + " chunk " + k + ": (blob " + blobIndex + ", index " + ci
                        + ", blkaddr " + blkaddr + ") is not in the chunk table");
            }
            if (rec.uncompressedSize() != length || rec.compressedSize() < 0 || rec.compressedOffset() < 0) {
                throw new RafsFormatException("nid " + nid + " chunk " + k + ": uncompressed_size "
                        + Integer.toUnsignedString(rec.uncompressedSize()) + ", expected " + length);
            }
            out.add(new FileExtent.Chunk(new ChunkRef(rec.blobIndex(), rec.chunkIndex(), rec.flags(), rec.compressedOffset(),
                    rec.compressedSize(), rec.uncompressedOffset(), rec.uncompressedSize(), k * cs, rec.digest(), rec.crc32())));
        }
        return out;
    }

    /** Plain EROFS: block map (4-byte) or chunk indexes (8-byte) naming blocks on a device. */
    private List<FileExtent> erofsChunks(long off, long end) throws RafsFormatException {
        int format = (int) (iu & 0xFFFF);
        int chunkBits = sb.blockBits + (format & CHUNK_FORMAT_BLKBITS_MASK);
        if ((format & ~(CHUNK_FORMAT_INDEXES | CHUNK_FORMAT_BLKBITS_MASK)) != 0 || chunkBits > 30) {
            throw new RafsFormatException("nid " + nid + ": invalid chunk format 0x" + Long.toHexString(iu));
        }
        boolean indexes = (format & CHUNK_FORMAT_INDEXES) != 0;
        int unit = indexes ? 8 : 4;
        long cs = 1L << chunkBits;
        long count = (size + cs - 1) / cs;
        long base = chunkArray(unit);
        sb.meta.check(base, count * unit, "chunk map of nid " + nid + " (" + count + " chunks)");
        List<FileExtent> out = new ArrayList<>();
        for (long k = off / cs; k * cs < end; k++) {
            long e = base + k * unit;
            long blkaddr = sb.meta.u32(indexes ? e + 4 : e, "chunk blkaddr");
            int device = indexes ? sb.meta.u16(e + 2, "chunk device_id") & sb.deviceIdMask : 0;
            long length = Math.min(cs, size - k * cs);
            long from = Math.max(off, k * cs);
            long to = Math.min(end, k * cs + length);
            if (blkaddr == NULL_ADDR) {
                out.add(new FileExtent.Hole(from, to - from));
            } else if (device == 0) {
                long at = (blkaddr << sb.blockBits) + (from - k * cs);
                sb.meta.check(at, to - from, "chunk " + k + " of nid " + nid);
                out.add(new FileExtent.Inline(from, to - from, at));
            } else {
                if (device > sb.blobs().size()) {
                    throw new RafsFormatException("nid " + nid + " chunk " + k + ": invalid device id " + device);
                }
                long at = blkaddr << sb.blockBits;
                out.add(new FileExtent.Chunk(new ChunkRef(device - 1, (int) k, 0, at, (int) length, at, (int) length,
                        k * cs, null, 0)));
            }
        }
        return out;
    }

    @Override
    public String toString() {
        return "V6Inode[nid=" + nid + ", mode=0" + Integer.toOctalString(mode) + ", size=" + size + ", layout=" + layout + "]";
    }
}
