package dev.jnydus.rafs.v6;

import dev.jnydus.common.BlobFeatures;
import dev.jnydus.common.Compressor;
import dev.jnydus.common.Digester;
import dev.jnydus.rafs.layout.MetaBuffer;
import dev.jnydus.rafs.layout.SuperFlags;
import dev.jnydus.rafs.metadata.BlobInfo;
import dev.jnydus.rafs.metadata.BlobLimits;
import dev.jnydus.rafs.metadata.ChunkRef;
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

/**
 * An opened RAFS v6 bootstrap, or a plain uncompressed EROFS image. Both share the EROFS
 * superblock, inodes and directories; RAFS adds the extended superblock, the blob table and the
 * chunk table, plain EROFS keeps file data in the image or on extra devices.
 */
public final class V6Bootstrap implements RafsSuper {
    public static final int SB_OFFSET = 1024;
    public static final long EROFS_MAGIC = 0xE0F5E1E2L;
    static final long FEATURE_COMPAT_RAFS_V6 = 0x4000_0000L;
    static final long INCOMPAT_ZERO_PADDING = 0x1;
    static final long INCOMPAT_COMPR_CFGS = 0x2;
    static final long INCOMPAT_CHUNKED_FILE = 0x4;
    static final long INCOMPAT_DEVICE_TABLE = 0x8;
    static final long INCOMPAT_ZTAILPACKING = 0x10;
    static final long INCOMPAT_FRAGMENTS = 0x20;
    private static final long INCOMPAT_PLAIN_OK = INCOMPAT_ZERO_PADDING | INCOMPAT_COMPR_CFGS | INCOMPAT_CHUNKED_FILE
            | INCOMPAT_DEVICE_TABLE | INCOMPAT_ZTAILPACKING | INCOMPAT_FRAGMENTS;
    static final int EXT_SB_OFFSET = 1152;
    static final int BLOB_ENTRY = 256;
    static final int DEVICE_SLOT = 128;

    private final Path path;
    final MetaBuffer meta;
    final boolean rafs;
    final int blockBits;
    final int blockSize;
    final long metaBase;
    private final long rootNid;
    private final long inos;
    final long buildTime;
    final int buildTimeNsec;
    final long xattrBase;
    final int extraDevices;
    final int deviceIdMask;
    private final long flags;
    final int chunkSize;
    private final List<BlobInfo> blobs;
    private final long[] prefetch;
    final ChunkTable chunkTable;

    private V6Bootstrap(Path path, MetaBuffer meta) throws RafsFormatException {
        this.path = path;
        this.meta = meta;
        long size = meta.size();
        meta.check(SB_OFFSET, 128, "EROFS superblock");
        long magic = meta.u32(SB_OFFSET, "magic");
        if (magic != EROFS_MAGIC) {
            throw new RafsFormatException("invalid EROFS magic 0x" + Long.toHexString(magic));
        }
        long checksum = meta.u32(SB_OFFSET + 4, "checksum");
        long compat = meta.u32(SB_OFFSET + 8, "feature_compat");
        this.rafs = (compat & FEATURE_COMPAT_RAFS_V6) != 0;
        this.blockBits = meta.u8(SB_OFFSET + 12, "blkszbits");
        int extSlots = meta.u8(SB_OFFSET + 13, "extslots");
        this.rootNid = meta.u16(SB_OFFSET + 14, "root_nid");
        this.inos = meta.u64(SB_OFFSET + 16, "inos");
        this.buildTime = meta.u64(SB_OFFSET + 24, "build_time");
        this.buildTimeNsec = meta.i32(SB_OFFSET + 32, "build_time_nsec");
        long metaBlkaddr = meta.u32(SB_OFFSET + 40, "meta_blkaddr");
        long xattrBlkaddr = meta.u32(SB_OFFSET + 44, "xattr_blkaddr");
        long incompat = meta.u32(SB_OFFSET + 80, "feature_incompat");
        int union = meta.u16(SB_OFFSET + 84, "u1");
        this.extraDevices = meta.u16(SB_OFFSET + 86, "extra_devices");
        int devtSlotoff = meta.u16(SB_OFFSET + 88, "devt_slotoff");

        if (rafs) {
            if (blockBits != 12 && blockBits != 9) {
                throw new RafsFormatException("invalid block size bits " + blockBits);
            }
            if (checksum != 0) {
                throw new RafsFormatException("invalid checksum 0x" + Long.toHexString(checksum) + ": RAFS v6 stores 0");
            }
            if (extSlots != 0) {
                throw new RafsFormatException("invalid extslots " + extSlots);
            }
            if (xattrBlkaddr != 0) {
                throw new RafsFormatException("invalid xattr_blkaddr " + xattrBlkaddr + ": RAFS v6 has no shared xattrs");
            }
            if (incompat != (INCOMPAT_CHUNKED_FILE | INCOMPAT_DEVICE_TABLE)) {
                throw new RafsFormatException("invalid feature_incompat 0x" + Long.toHexString(incompat));
            }
            if (union != 0) {
                throw new RafsFormatException("invalid compression config 0x" + Integer.toHexString(union));
            }
            if (devtSlotoff != 11) {
                throw new RafsFormatException("invalid devt_slotoff " + devtSlotoff);
            }
        } else {
            if (blockBits < 9 || blockBits > 12) {
                throw new RafsFormatException("invalid block size bits " + blockBits);
            }
            if ((incompat & ~INCOMPAT_PLAIN_OK) != 0) {
                throw new RafsFormatException("unsupported EROFS feature_incompat 0x" + Long.toHexString(incompat));
            }
        }
        this.blockSize = 1 << blockBits;
        if (inos == 0) {
            throw new RafsFormatException("invalid inos 0");
        }
        if (size < 4096 && rafs || size % blockSize != 0) {
            throw new RafsFormatException("invalid bootstrap size " + size + ": not a multiple of block size " + blockSize);
        }
        this.metaBase = metaBlkaddr << blockBits;
        if (metaBase > size) {
            throw new RafsFormatException("invalid meta_blkaddr " + metaBlkaddr + ": past the end of the bootstrap");
        }
        this.xattrBase = xattrBlkaddr << blockBits;
        if (xattrBase > size) {
            throw new RafsFormatException("invalid xattr_blkaddr " + xattrBlkaddr + ": past the end of the bootstrap");
        }
        // The kernel masks chunk-index device ids with roundup_pow_of_two(extra_devices + 1) - 1.
        int devices = extraDevices + 1;
        int pow2 = Integer.highestOneBit(devices) == devices ? devices : Integer.highestOneBit(devices) << 1;
        this.deviceIdMask = pow2 - 1;

        if (rafs) {
            long ext = EXT_SB_OFFSET;
            this.flags = meta.u64(ext, "s_flags");
            SuperFlags.validate(flags, true);
            if ((flags & SuperFlags.TARFS_MODE) != 0) {
                throw new RafsFormatException("unsupported s_flags 0x" + Long.toHexString(flags) + ": tarfs images");
            }
            if ((blockBits == 9) != ((flags & SuperFlags.TARFS_MODE) != 0)) {
                throw new RafsFormatException("invalid block size bits " + blockBits);
            }
            long blobTableOffset = meta.u64(ext + 8, "s_blob_table_offset");
            long blobTableSize = meta.u32(ext + 16, "s_blob_table_size");
            long cs = meta.u32(ext + 20, "s_chunk_size");
            long chunkTableOffset = meta.u64(ext + 24, "s_chunk_table_offset");
            long chunkTableSize = meta.u64(ext + 32, "s_chunk_table_size");
            long prefetchOffset = meta.u64(ext + 40, "s_prefetch_table_offset");
            long prefetchSize = meta.u32(ext + 48, "s_prefetch_table_size");
            if (cs < 4096 || cs > (16 << 20) || Long.bitCount(cs) != 1) {
                throw new RafsFormatException("invalid s_chunk_size " + cs);
            }
            this.chunkSize = (int) cs;
            if (blobTableSize % BLOB_ENTRY != 0 || blobTableSize / BLOB_ENTRY != extraDevices) {
                throw new RafsFormatException("invalid s_blob_table_size " + blobTableSize + " for " + extraDevices
                        + " devices");
            }
            long devEnd = (long) devtSlotoff * DEVICE_SLOT + (long) DEVICE_SLOT * extraDevices;
            if (blobTableSize > 0 && (blobTableOffset < 4096 || blobTableOffset % 4096 != 0 || blobTableOffset < devEnd)) {
                throw new RafsFormatException("invalid s_blob_table_offset " + blobTableOffset);
            }
            if (blobTableSize > 0) {
                meta.check(blobTableOffset, blobTableSize, "blob table (s_blob_table_offset " + blobTableOffset + ")");
            }
            meta.check(devtSlotoff * (long) DEVICE_SLOT, (long) DEVICE_SLOT * extraDevices, "device table");
            if (chunkTableSize > 0 && chunkTableOffset % 4096 != 0) {
                throw new RafsFormatException("invalid s_chunk_table_offset " + chunkTableOffset);
            }
            this.chunkTable = new ChunkTable(meta, chunkTableOffset, chunkTableSize, blockBits);
            this.blobs = parseBlobTable(blobTableOffset, extraDevices);
            this.prefetch = parsePrefetch(prefetchOffset, prefetchSize);
        } else {
            this.flags = 0;
            this.chunkTable = null;
            this.chunkSize = blockSize;
            if (extraDevices > 0) {
                if ((incompat & INCOMPAT_DEVICE_TABLE) == 0) {
                    throw new RafsFormatException("extra_devices " + extraDevices + " without the device table feature");
                }
                meta.check(devtSlotoff * (long) DEVICE_SLOT, (long) DEVICE_SLOT * extraDevices,
                        "device table (devt_slotoff " + devtSlotoff + ", extra_devices " + extraDevices + ")");
            }
            this.blobs = parseDevices(devtSlotoff);
            this.prefetch = new long[0];
        }
        V6Inode root = inode(rootNid);
        if (!root.isDir()) {
            throw new RafsFormatException("root nid " + rootNid + " is not a directory (mode 0"
                    + Integer.toOctalString(root.mode()) + ")");
        }
    }

    public static V6Bootstrap open(Path path, MetaBuffer meta) throws RafsFormatException {
        return new V6Bootstrap(path, meta);
    }

    private List<BlobInfo> parseBlobTable(long off, int count) throws RafsFormatException {
        List<BlobInfo> out = new ArrayList<>(count);
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (int i = 0; i < count; i++) {
            long e = off + (long) i * BLOB_ENTRY;
            String id = blobId(meta.bytes(e, 64, "blob table blob_id"), "blob table entry " + i);
            if (!seen.add(id)) {
                throw new RafsFormatException("duplicate blob id " + id + " in blob table");
            }
            long index = meta.u32(e + 64, "blob_index");
            if (index != i) {
                throw new RafsFormatException("invalid blob_index " + index + " in blob table entry " + i);
            }
            long cs = meta.u32(e + 68, "blob chunk_size");
            if (cs != chunkSize) {
                throw new RafsFormatException("invalid chunk_size " + cs + " of blob " + id + ": superblock says " + chunkSize);
            }
            long chunkCount = meta.u32(e + 72, "chunk_count");
            if (chunkCount > (1 << 24)) {
                throw new RafsFormatException("invalid chunk_count " + chunkCount + " of blob " + id);
            }
            long compAlgo = meta.u32(e + 76, "compression_algo");
            Compressor comp = Compressor.ofId(compAlgo);
            if (comp == null) {
                throw new RafsFormatException("invalid compression_algo " + compAlgo + " of blob " + id);
            }
            long digAlgo = meta.u32(e + 80, "digest_algo");
            Digester dig = Digester.ofId(digAlgo);
            if (dig == null) {
                throw new RafsFormatException("invalid digest_algo " + digAlgo + " of blob " + id);
            }
            int features = meta.i32(e + 84, "features");
            if ((features & BlobFeatures.REJECTED) != 0) {
                throw new RafsFormatException("invalid features 0x" + Integer.toHexString(features) + " of blob " + id);
            }
            long compSize = meta.u64(e + 88, "compressed_size");
            long uncompSize = meta.u64(e + 96, "uncompressed_size");
            if (compSize < 0 || compSize > (1L << 40) || uncompSize < 0 || uncompSize > (1L << 44)) {
                throw new RafsFormatException("invalid sizes " + compSize + "/" + uncompSize + " of blob " + id);
            }
            int tocSize = meta.i32(e + 104, "blob_toc_size");
            long ciComp = meta.u32(e + 108, "ci_compressor");
            Compressor ciCompressor = Compressor.ofId(ciComp);
            if (ciCompressor == null) {
                ciCompressor = Compressor.NONE;
            }
            long ciOffset = meta.u64(e + 112, "ci_offset");
            long ciCompSize = meta.u64(e + 120, "ci_compressed_size");
            long ciUncompSize = meta.u64(e + 128, "ci_uncompressed_size");
            if (ciCompSize < 0 || ciUncompSize < 0 || ciOffset < 0 || ciCompSize > ciUncompSize && ciUncompSize > 0) {
                throw new RafsFormatException("invalid ci sizes " + ciCompSize + "/" + ciUncompSize + " of blob " + id);
            }
            byte[] tocDigest = meta.bytes(e + 136, 32, "blob_toc_digest");
            byte[] metaDigest = meta.bytes(e + 168, 32, "blob_meta_digest");
            long metaSize = meta.u64(e + 200, "blob_meta_size");
            out.add(new BlobInfo(i, id, comp, dig, chunkSize, (int) chunkCount, compSize, uncompSize, features, 0, 0,
                    ciOffset, ciCompSize, ciUncompSize, ciCompressor, tocSize, tocDigest, metaDigest, metaSize));
        }
        return List.copyOf(out);
    }

    private static String blobId(byte[] raw, String where) throws RafsFormatException {
        int len = 0;
        while (len < raw.length && raw[len] != 0) {
            len++;
        }
        if (len != 64) {
            throw new RafsFormatException("invalid blob id in " + where + ": " + len + " characters, expected 64");
        }
        for (int i = 0; i < len; i++) {
            byte c = raw[i];
            boolean ok = c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F';
            if (!ok) {
                throw new RafsFormatException("invalid blob id in " + where + ": not hex");
            }
        }
        return new String(raw, 0, len, StandardCharsets.US_ASCII);
    }

    /** Plain EROFS: each extra device is one blob, named by its tag or by its slot. */
    private List<BlobInfo> parseDevices(int slotoff) throws RafsFormatException {
        List<BlobInfo> out = new ArrayList<>();
        for (int i = 0; i < extraDevices; i++) {
            long e = (long) slotoff * DEVICE_SLOT + (long) i * DEVICE_SLOT;
            byte[] tag = meta.bytes(e, 64, "device tag");
            int len = 0;
            while (len < 64 && tag[len] != 0) {
                len++;
            }
            String id = len == 0 ? "device" + (i + 1) : new String(tag, 0, len, StandardCharsets.UTF_8);
            BlobLimits.checkId(id, "device slot " + i);
            long blocks = meta.u32(e + 64, "device blocks");
            long bytes = blocks << blockBits;
            out.add(new BlobInfo(i, id, Compressor.NONE, Digester.SHA256, blockSize, 0, bytes, bytes, 0, 0, 0, 0, 0, 0,
                    Compressor.NONE, 0, new byte[32], new byte[32], 0));
        }
        return List.copyOf(out);
    }

    private long[] parsePrefetch(long off, long size) throws RafsFormatException {
        if (off == 0 || size == 0) {
            return new long[0];
        }
        if (size % 4 != 0) {
            throw new RafsFormatException("invalid s_prefetch_table_size " + size);
        }
        meta.check(off, size, "prefetch table (s_prefetch_table_offset " + off + ")");
        int n = (int) (size / 4);
        long[] out = new long[n];
        int k = 0;
        for (int i = 0; i < n; i++) {
            long nid = meta.u32(off + 4L * i, "prefetch table entry");
            if (nid == 0) {
                break;
            }
            out[k++] = nid;
        }
        return java.util.Arrays.copyOf(out, k);
    }

    @Override
    public V6Inode inode(long nid) throws RafsFormatException {
        return new V6Inode(this, nid);
    }

    @Override
    public RafsInode lookup(RafsInode dir, byte[] name) throws RafsFormatException {
        V6Inode d = (V6Inode) dir;
        if (!d.isDir()) {
            return null;
        }
        long nid = new DirBlocks(d).lookup(name);
        return nid < 0 ? null : inode(nid);
    }

    @Override
    public void readdir(RafsInode dir, long offset, DirentVisitor visitor) throws RafsFormatException {
        V6Inode d = (V6Inode) dir;
        if (!d.isDir()) {
            return;
        }
        new DirBlocks(d).list(offset, visitor);
    }

    @Override
    public ChunkRef chunkRecord(int blobIndex, int chunkIndex) throws RafsFormatException {
        return chunkTable == null ? null : chunkTable.findByIndex(blobIndex, chunkIndex);
    }

    @Override
    public int chunkRecords(int blobIndex) throws RafsFormatException {
        return chunkTable == null ? -1 : chunkTable.distinctChunks(blobIndex);
    }

    @Override
    public RafsVersion version() {
        return rafs ? RafsVersion.V6 : RafsVersion.EROFS;
    }

    @Override
    public long flags() {
        return flags;
    }

    @Override
    public boolean explicitUidGid() {
        return !rafs || (flags & SuperFlags.EXPLICIT_UID_GID) != 0;
    }

    @Override
    public Compressor compressor() {
        return rafs ? SuperFlags.compressor(flags) : Compressor.NONE;
    }

    @Override
    public Digester digester() {
        return rafs ? SuperFlags.digester(flags) : Digester.SHA256;
    }

    @Override
    public int chunkSize() {
        return chunkSize;
    }

    @Override
    public int blockSize() {
        return blockSize;
    }

    @Override
    public long inodeCount() {
        return inos;
    }

    @Override
    public long rootIno() {
        return rootNid;
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
