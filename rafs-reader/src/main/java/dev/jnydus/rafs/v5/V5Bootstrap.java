package dev.jnydus.rafs.v5;

import dev.jnydus.common.Compressor;
import dev.jnydus.common.Digester;
import dev.jnydus.rafs.layout.MetaBuffer;
import dev.jnydus.rafs.layout.SuperFlags;
import dev.jnydus.rafs.metadata.BlobInfo;
import dev.jnydus.rafs.metadata.BlobLimits;
import dev.jnydus.rafs.metadata.DirentVisitor;
import dev.jnydus.rafs.metadata.RafsFormatException;
import dev.jnydus.rafs.metadata.RafsInode;
import dev.jnydus.rafs.metadata.RafsSuper;
import dev.jnydus.rafs.metadata.RafsVersion;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** An opened RAFS v5 bootstrap. */
public final class V5Bootstrap implements RafsSuper {
    public static final int MAGIC = 0x52414653;
    public static final int VERSION = 0x500;
    static final int SUPER_SIZE = 8192;
    static final long ROOT_INO = 1;

    private final Path path;
    final MetaBuffer meta;
    private final long flags;
    final int chunkSize;
    private final long inodesCount;
    private final long inodeTableOffset;
    final int inodeTableEntries;
    private final long[] prefetch;
    private final List<BlobInfo> blobs;

    private V5Bootstrap(Path path, MetaBuffer meta) throws RafsFormatException {
        this.path = path;
        this.meta = meta;
        if (meta.size() <= SUPER_SIZE) {
            throw new RafsFormatException("v5 bootstrap is " + meta.size() + " bytes, not larger than the superblock");
        }
        long sbSize = meta.u32(8, "s_sb_size");
        if (sbSize != SUPER_SIZE) {
            throw new RafsFormatException("invalid s_sb_size " + sbSize);
        }
        long blockSize = meta.u32(12, "s_block_size");
        if (blockSize < 4096 || blockSize > (16 << 20) || Long.bitCount(blockSize) != 1) {
            throw new RafsFormatException("invalid chunk size (s_block_size) " + blockSize);
        }
        this.chunkSize = (int) blockSize;
        this.flags = meta.u64(16, "s_flags");
        SuperFlags.validate(flags, false);
        this.inodesCount = meta.u64(24, "s_inodes_count");
        this.inodeTableOffset = meta.u64(32, "s_inode_table_offset");
        long prefetchOffset = meta.u64(40, "s_prefetch_table_offset");
        long blobTableOffset = meta.u64(48, "s_blob_table_offset");
        long entries = meta.u32(56, "s_inode_table_entries");
        long prefetchEntries = meta.u32(60, "s_prefetch_table_entries");
        long blobTableSize = meta.u32(64, "s_blob_table_size");
        long extEntries = meta.u32(68, "s_extended_blob_table_entries");
        long extOffset = meta.u64(72, "s_extended_blob_table_offset");

        if (entries == 0 || entries > (1L << 29)) {
            throw new RafsFormatException("invalid s_inode_table_entries " + entries);
        }
        this.inodeTableEntries = (int) entries;
        if (inodeTableOffset < SUPER_SIZE) {
            throw new RafsFormatException("invalid s_inode_table_offset " + inodeTableOffset);
        }
        meta.check(inodeTableOffset, entries * 4, "inode table (s_inode_table_offset " + inodeTableOffset
                + ", s_inode_table_entries " + entries + ")");
        if (inodesCount > entries) {
            throw new RafsFormatException("invalid s_inodes_count " + inodesCount + ": inode table holds only " + entries);
        }
        if (blobTableSize > 0) {
            if (blobTableOffset < SUPER_SIZE) {
                throw new RafsFormatException("invalid s_blob_table_offset " + blobTableOffset);
            }
            meta.check(blobTableOffset, blobTableSize, "blob table (s_blob_table_offset " + blobTableOffset
                    + ", s_blob_table_size " + blobTableSize + ")");
        }
        if (extEntries > 0) {
            if (extOffset < SUPER_SIZE || extEntries > 0x10000) {
                throw new RafsFormatException("invalid extended blob table at " + extOffset + " with " + extEntries
                        + " entries");
            }
            meta.check(extOffset, extEntries * 64, "extended blob table (s_extended_blob_table_offset " + extOffset
                    + ", entries " + extEntries + ")");
        }
        this.blobs = parseBlobs(blobTableOffset, blobTableSize, extOffset, (int) extEntries);
        this.prefetch = parsePrefetch(prefetchOffset, prefetchEntries);
        // The root must decode, so that a bootstrap with a broken root fails to open.
        V5Inode root = inode(ROOT_INO);
        if (!root.isDir()) {
            throw new RafsFormatException("root inode is not a directory (mode 0" + Integer.toOctalString(root.mode()) + ")");
        }
    }

    public static V5Bootstrap open(Path path, MetaBuffer meta) throws RafsFormatException {
        return new V5Bootstrap(path, meta);
    }

    private List<BlobInfo> parseBlobs(long off, long size, long extOff, int extEntries) throws RafsFormatException {
        List<BlobInfo> out = new ArrayList<>();
        long pos = off;
        long end = off + size;
        Compressor comp = SuperFlags.compressor(flags);
        Digester dig = SuperFlags.digester(flags);
        while (end - pos > 8) {
            long raOffset = meta.u32(pos, "blob table readahead offset");
            long raSize = meta.u32(pos + 4, "blob table readahead size");
            pos += 8;
            long idStart = pos;
            while (pos < end && meta.u8(pos, "blob id") != 0) {
                pos++;
            }
            int idLen = (int) (pos - idStart);
            if (idLen == 0 || idLen > BlobLimits.MAX_ID_LENGTH) {
                throw new RafsFormatException("invalid blob id length " + idLen + " in blob table entry " + out.size());
            }
            String id = new String(meta.bytes(idStart, idLen, "blob id"), StandardCharsets.US_ASCII);
            int index = out.size();
            BlobLimits.checkId(id, "blob table entry " + index);
            pos++; // the NUL, if any
            long chunkCount = 0;
            int features = 0;
            long uncompSize = 0;
            long compSize = 0;
            if (extEntries > 0) {
                if (index >= extEntries) {
                    // Upstream: "Extended blob table is shorter than blob table".
                    throw new RafsFormatException("extended blob table has " + extEntries + " entries, but the blob "
                            + "table has more");
                }
                long rec = extOff + 64L * index;
                chunkCount = meta.u32(rec, "extended blob table chunk_count");
                features = meta.i32(rec + 4, "extended blob table features");
                uncompSize = meta.u64(rec + 8, "extended blob table uncompressed_size");
                compSize = meta.u64(rec + 16, "extended blob table compressed_size");
                BlobLimits.checkCounts(id, chunkCount, compSize, uncompSize);
            }
            out.add(new BlobInfo(index, id, comp, dig, chunkSize, (int) chunkCount, compSize, uncompSize, features, raOffset,
                    raSize, 0, 0, 0, Compressor.NONE, 0, new byte[32], new byte[32], 0));
            if (out.size() > 0x10000) {
                throw new RafsFormatException("blob table has more than 65536 entries");
            }
        }
        return List.copyOf(out);
    }

    private long[] parsePrefetch(long off, long entries) throws RafsFormatException {
        if (entries == 0) {
            return new long[0];
        }
        if (entries > inodeTableEntries) {
            throw new RafsFormatException("invalid s_prefetch_table_entries " + entries);
        }
        meta.check(off, entries * 4, "prefetch table (s_prefetch_table_offset " + off + ")");
        long[] out = new long[(int) entries];
        int n = 0;
        for (int i = 0; i < entries; i++) {
            long ino = meta.u32(off + 4L * i, "prefetch table entry");
            if (ino == 0) {
                break;
            }
            out[n++] = ino;
        }
        return java.util.Arrays.copyOf(out, n);
    }

    /** Byte offset of the record for inode index {@code index} (1-based). */
    long recordOffset(long index) throws RafsFormatException {
        if (index < 1 || index > inodeTableEntries) {
            throw new RafsFormatException("inode index " + index + " outside the inode table (1.." + inodeTableEntries + ")");
        }
        long slot = meta.u32(inodeTableOffset + 4 * (index - 1), "inode table slot " + index);
        if (slot <= (SUPER_SIZE >> 3) || slot >= (1L << 29)) {
            throw new RafsFormatException("invalid inode table slot " + index + " value " + slot);
        }
        return slot << 3;
    }

    @Override
    public V5Inode inode(long ino) throws RafsFormatException {
        V5Inode inode = new V5Inode(this, recordOffset(ino));
        if (inode.ino() != ino) {
            throw new RafsFormatException("inode table slot " + ino + " points at a record of inode " + inode.ino());
        }
        return inode;
    }

    @Override
    public RafsInode lookup(RafsInode dir, byte[] name) throws RafsFormatException {
        V5Inode d = (V5Inode) dir;
        if (!d.isDir()) {
            return null;
        }
        // v5 stores no "." and ".." records, but readdir lists them, so lookup answers them too.
        if (name.length == 1 && name[0] == '.') {
            return d;
        }
        if (name.length == 2 && name[0] == '.' && name[1] == '.') {
            return d.ino() == ROOT_INO ? d : inode(d.parent());
        }
        d.checkChildRange();
        long lo = d.childIndex();
        long hi = lo + d.childCount() - 1;
        while (lo <= hi) {
            long mid = (lo + hi) >>> 1;
            V5Inode child = child(d, mid);
            int c = child.compareName(name);
            if (c == 0) {
                return child;
            }
            if (c < 0) {
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return null;
    }

    /** The child record at inode index {@code index}, checked to be a child of {@code dir}. */
    V5Inode child(V5Inode dir, long index) throws RafsFormatException {
        V5Inode child = new V5Inode(this, recordOffset(index));
        if (child.isDir() && child.ino() != index) {
            throw new RafsFormatException("directory at inode index " + index + " has i_ino " + child.ino());
        }
        if (child.isDir() && child.ino() <= dir.ino()) {
            throw new RafsFormatException("directory cycle: inode " + child.ino() + " is listed under inode " + dir.ino());
        }
        return child;
    }

    @Override
    public void readdir(RafsInode dir, long offset, DirentVisitor visitor) throws RafsFormatException {
        V5Inode d = (V5Inode) dir;
        if (!d.isDir()) {
            return;
        }
        d.checkChildRange();
        long off = Math.max(0, offset);
        if (off == 0 && !visitor.accept(new byte[] {'.'}, d.ino(), RafsInode.S_IFDIR >> 12, 1)) {
            return;
        }
        if (off <= 1) {
            long parent = d.ino() == ROOT_INO ? ROOT_INO : d.parent();
            if (!visitor.accept(new byte[] {'.', '.'}, parent, RafsInode.S_IFDIR >> 12, 2)) {
                return;
            }
        }
        long count = d.childCount();
        for (long i = Math.max(0, off - 2); i < count; i++) {
            V5Inode child = child(d, d.childIndex() + i);
            if (!visitor.accept(child.name(), child.ino(), child.type() >> 12, i + 3)) {
                return;
            }
        }
    }

    @Override
    public RafsVersion version() {
        return RafsVersion.V5;
    }

    @Override
    public long flags() {
        return flags;
    }

    @Override
    public boolean explicitUidGid() {
        return (flags & SuperFlags.EXPLICIT_UID_GID) != 0;
    }

    @Override
    public Compressor compressor() {
        return SuperFlags.compressor(flags);
    }

    @Override
    public Digester digester() {
        return SuperFlags.digester(flags);
    }

    @Override
    public int chunkSize() {
        return chunkSize;
    }

    @Override
    public int blockSize() {
        return 4096;
    }

    @Override
    public long inodeCount() {
        return inodesCount;
    }

    @Override
    public long rootIno() {
        return ROOT_INO;
    }

    @Override
    public List<BlobInfo> blobs() {
        return blobs;
    }

    @Override
    public long[] prefetchInodes() {
        return prefetch.clone();
    }

    @Override
    public void readBootstrap(long offset, ByteBuffer dst) throws RafsFormatException {
        meta.copy(offset, dst, "bootstrap read");
    }

    @Override
    public long bootstrapSize() {
        return meta.size();
    }

    @Override
    public Path path() {
        return path;
    }

    @Override
    public Optional<ByteBuffer> mappedMetadata() {
        return meta.mapping();
    }

    @Override
    public void close() {
        // The mapping is released by the garbage collector; nothing else is held.
    }
}
