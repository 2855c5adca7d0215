package dev.jnydus.builder;

import dev.jnydus.common.BlobFeatures;
import dev.jnydus.common.Compressor;
import dev.jnydus.common.Digester;
import dev.jnydus.rafs.layout.SuperFlags;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes a RAFS v6 bootstrap: an EROFS image whose regular files are chunk-indexed into the data
 * blobs, which appear as EROFS extra devices (rafs-format 5; upstream {@code builder/src/core/v6.rs}).
 * Layout: superblock and RAFS extended superblock, device table, blob table, prefetch table, the
 * metadata area as {@link BootstrapLayout} placed it, the chunk info table, zero padding to 4 KiB.
 */
final class V6Writer {
    static final int SB_OFFSET = 1024;
    static final int EXT_SB_OFFSET = 1152;
    static final int DEVTABLE_OFFSET = 1408;
    static final int DEVSLOT_SIZE = 128;
    static final int BLOB_ENTRY_SIZE = 256;
    static final long SEG_ALIGNMENT = 0x8_0000;

    private final BootstrapLayout layout;
    private final List<BlobEntry> blobs;
    private final boolean explicitUidGid;
    private final Compressor compressor;
    private final Digester digester;
    private final int chunkSize;

    V6Writer(BootstrapLayout layout, List<BlobEntry> blobs, boolean explicitUidGid, Compressor compressor,
            Digester digester, int chunkSize) {
        this.layout = layout;
        this.blobs = blobs;
        this.explicitUidGid = explicitUidGid;
        this.compressor = compressor;
        this.digester = digester;
        this.chunkSize = chunkSize;
    }

    /** Digest then blob index, as upstream's {@code BTreeMap<DigestWithBlobIndex, _>} orders them. */
    private static int compareChunkKey(Chunk a, Chunk b) {
        int c = Arrays.compareUnsigned(a.digest(), b.digest());
        return c != 0 ? c : Integer.compareUnsigned(a.blobIndex(), b.blobIndex());
    }

    void write(Tree tree, OutputStream out) throws IOException {
        if (blobs.size() >= 255) {
            throw new BuildException("too many blobs: " + blobs.size() + " (254 at most in a v6 image)");
        }
        long devtableLen = (long) blobs.size() * DEVSLOT_SIZE;
        long blobTableOffset = Le.align(DEVTABLE_OFFSET + devtableLen, BootstrapLayout.BLOCK);
        long blobTableSize = (long) blobs.size() * BLOB_ENTRY_SIZE;
        List<Node> prefetchNodes = layout.prefetch.tableNodes();
        long prefetchOffset = 0;
        long prefetchSize = 0;
        if (!prefetchNodes.isEmpty() && blobTableSize > 0) {
            prefetchOffset = blobTableOffset + blobTableSize;
            prefetchSize = prefetchNodes.size() * 4L;
        }
        long metaAddr = blobTableSize > 0
                ? Le.align(blobTableOffset + blobTableSize + prefetchSize, BootstrapLayout.BLOCK) : 0;
        long metaEnd = metaAddr + layout.offset;
        if (metaEnd > Integer.MAX_VALUE - 16) {
            throw new BuildException("bootstrap metadata of " + metaEnd + " bytes is too large");
        }
        Image img = new Image((int) metaEnd);

        Map<Chunk, Chunk> chunkTable = new TreeMap<>(V6Writer::compareChunkKey);
        boolean[] hasXattr = {false};
        IOException[] failure = {null};
        long rootOffset = tree.node.v6Offset;
        tree.walkBfs(t -> {
            if (failure[0] != null) {
                return;
            }
            try {
                dumpNode(img, metaAddr, t, chunkTable, hasXattr);
            } catch (IOException e) {
                failure[0] = e;
            }
        });
        if (failure[0] != null) {
            throw failure[0];
        }
        // Dirents need the parent of each directory: write them in a second pass with it.
        writeDirents(img, metaAddr, tree, rootOffset);

        long chunkTableOffset = Le.align(img.end, BootstrapLayout.BLOCK);
        long chunkTableSize = (long) chunkTable.size() * Chunk.SIZE;
        long fileEnd = Le.align(chunkTableOffset + chunkTableSize, BootstrapLayout.BLOCK);

        // Device slots: each blob mapped after the bootstrap, 512 KiB aligned.
        long pos = fileEnd;
        long blockCount = 0;
        boolean inlinedChunkDigest = true;
        for (int bi = 0; bi < blobs.size(); bi++) {
            BlobEntry b = blobs.get(bi);
            long cnt = b.uncompressedSize() / BootstrapLayout.BLOCK;
            long mapped = Le.align(pos, SEG_ALIGNMENT) / BootstrapLayout.BLOCK;
            if (mapped + cnt > 0xFFFF_FFFFL || blockCount + cnt > 0xFFFF_FFFFL) {
                throw new BuildException("too many data blocks in the RAFS filesystem");
            }
            pos = (mapped + cnt) * BootstrapLayout.BLOCK;
            blockCount += cnt;
            if ((b.features() & BlobFeatures.INLINED_CHUNK_DIGEST) == 0) {
                inlinedChunkDigest = false;
            }
            int slot = DEVTABLE_OFFSET + bi * DEVSLOT_SIZE;
            byte[] id = b.blobId().getBytes(StandardCharsets.US_ASCII);
            System.arraycopy(id, 0, img.b, slot, Math.min(64, id.length));
            Le.put32(img.b, slot + 64, cnt);
            Le.put32(img.b, slot + 68, mapped);
        }

        // EROFS superblock.
        byte[] b = img.b;
        Le.put32(b, SB_OFFSET, 0xE0F5E1E2);
        Le.put32(b, SB_OFFSET + 8, 0x4000_0000);
        b[SB_OFFSET + 12] = 12;
        Le.put16(b, SB_OFFSET + 14, (int) (rootOffset / BootstrapLayout.SLOT));
        Le.put64(b, SB_OFFSET + 16, layout.indexCount());
        Le.put32(b, SB_OFFSET + 36, blockCount);
        Le.put32(b, SB_OFFSET + 40, metaAddr / BootstrapLayout.BLOCK);
        Le.put32(b, SB_OFFSET + 80, 0x4 | 0x8);
        Le.put16(b, SB_OFFSET + 86, blobs.size());
        Le.put16(b, SB_OFFSET + 88, DEVTABLE_OFFSET / DEVSLOT_SIZE);

        // RAFS extended superblock.
        long flags = RafsFlags.of(compressor, digester) | SuperFlags.ENCRYPTION_NONE;
        if (explicitUidGid) {
            flags |= SuperFlags.EXPLICIT_UID_GID;
        }
        if (hasXattr[0]) {
            flags |= SuperFlags.HAS_XATTR;
        }
        if (inlinedChunkDigest) {
            flags |= SuperFlags.INLINED_CHUNK_DIGEST;
        }
        Le.put64(b, EXT_SB_OFFSET, flags);
        Le.put64(b, EXT_SB_OFFSET + 8, blobTableOffset);
        Le.put32(b, EXT_SB_OFFSET + 16, blobTableSize);
        Le.put32(b, EXT_SB_OFFSET + 20, chunkSize);
        Le.put64(b, EXT_SB_OFFSET + 24, chunkTableOffset);
        Le.put64(b, EXT_SB_OFFSET + 32, chunkTableSize);
        Le.put64(b, EXT_SB_OFFSET + 40, prefetchOffset);
        Le.put32(b, EXT_SB_OFFSET + 48, prefetchSize);

        // Blob table.
        for (int i = 0; i < blobs.size(); i++) {
            encodeBlob(b, (int) blobTableOffset + i * BLOB_ENTRY_SIZE, i, blobs.get(i));
        }
        // Prefetch table: nids.
        for (int i = 0; i < prefetchSize / 4; i++) {
            Le.put32(b, (int) prefetchOffset + i * 4, prefetchNodes.get(i).v6Offset / BootstrapLayout.SLOT);
        }

        out.write(b, 0, img.end);
        long written = img.end;
        out.write(new byte[(int) (chunkTableOffset - written)]);
        byte[] rec = new byte[Chunk.SIZE];
        for (Chunk c : chunkTable.values()) {
            c.encode(rec, 0);
            out.write(rec);
        }
        out.write(new byte[(int) (fileEnd - chunkTableOffset - chunkTableSize)]);
    }

    private static void encodeBlob(byte[] b, int off, int index, BlobEntry e) {
        byte[] id = e.blobId().getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(id, 0, b, off, Math.min(64, id.length));
        Le.put32(b, off + 64, index);
        Le.put32(b, off + 68, e.chunkSize());
        Le.put32(b, off + 72, e.chunkCount());
        Le.put32(b, off + 76, e.compressor().id());
        Le.put32(b, off + 80, e.digester().id());
        Le.put32(b, off + 84, e.features());
        Le.put64(b, off + 88, e.compressedSize());
        Le.put64(b, off + 96, e.uncompressedSize());
        Le.put32(b, off + 104, e.tocSize());
        Le.put32(b, off + 108, e.ciCompressor().id());
        Le.put64(b, off + 112, e.ciOffset());
        Le.put64(b, off + 120, e.ciCompressedSize());
        Le.put64(b, off + 128, e.ciUncompressedSize());
        System.arraycopy(e.tocDigest(), 0, b, off + 136, 32);
        System.arraycopy(e.metaDigest(), 0, b, off + 168, 32);
        Le.put64(b, off + 200, e.metaSize());
    }

    private void dumpNode(Image img, long metaAddr, Tree t, Map<Chunk, Chunk> chunkTable, boolean[] hasXattr)
            throws IOException {
        Node n = t.node;
        long inodeOff = metaAddr + n.v6Offset;
        long iu;
        if (n.isDir() || n.isSymlink()) {
            iu = (metaAddr + n.v6DirentsOffset) / BootstrapLayout.BLOCK;
        } else if (n.isReg()) {
            iu = fileChunks(img, inodeOff + n.v6InodeSizeWithXattr(), n, chunkTable);
        } else if (n.isSpecial()) {
            iu = n.rdev & 0xFFFF_FFFFL;
        } else {
            iu = 0;
        }
        if (n.ino > 0x7FFF_FFFFL) {
            throw new BuildException(n.path + ": inode number " + n.ino + " is too large");
        }
        byte[] b = img.b;
        int o = (int) inodeOff;
        Le.put16(b, o, 1 | (n.v6Layout << 1));
        Le.put16(b, o + 2, n.xattrCountV6());
        Le.put16(b, o + 4, n.mode);
        Le.put64(b, o + 8, n.size);
        Le.put32(b, o + 16, iu);
        Le.put32(b, o + 20, n.ino);
        Le.put32(b, o + 24, n.uid);
        Le.put32(b, o + 28, n.gid);
        Le.put64(b, o + 32, n.mtime);
        Le.put32(b, o + 40, n.mtimeNsec);
        Le.put32(b, o + 44, n.nlink);
        img.mark(o + 64);
        if (!n.xattrs.isEmpty()) {
            hasXattr[0] = true;
            int x = o + 64 + 12; // the 12-byte body header stays zero: no name filter, no shared xattrs
            for (Map.Entry<byte[], byte[]> e : n.xattrs.entrySet()) {
                byte[] name = e.getKey();
                byte[] value = e.getValue();
                XattrPrefix p = XattrPrefix.match(name);
                int suffix = name.length - p.length();
                b[x] = (byte) suffix;
                b[x + 1] = (byte) p.index();
                Le.put16(b, x + 2, value.length);
                System.arraycopy(name, p.length(), b, x + 4, suffix);
                System.arraycopy(value, 0, b, x + 4 + suffix, value.length);
                x += (int) Le.align(4 + suffix + value.length, 4);
            }
            img.mark(o + 64 + n.xattrSizeV6());
        }
        if (n.isSymlink()) {
            long dataOff = n.v6Layout == BootstrapLayout.LAYOUT_FLAT_INLINE ? inodeOff + n.v6InodeSizeWithXattr()
                    : metaAddr + n.v6DirentsOffset;
            System.arraycopy(n.symlink, 0, b, (int) dataOff, n.symlink.length);
            img.mark(dataOff + n.symlink.length);
        }
    }

    /** Writes the chunk index array and returns the chunk format for {@code i_u}. */
    private long fileChunks(Image img, long afterInode, Node n, Map<Chunk, Chunk> chunkTable) throws IOException {
        long expected = n.chunkCount(chunkSize);
        if (n.chunks.size() != expected) {
            throw new BuildException(n.path + ": invalid chunk count " + n.chunks.size() + ", " + expected
                    + " expected");
        }
        int off = (int) Le.align(afterInode, 8);
        boolean continuous = true;
        Chunk prev = null;
        for (Chunk c : n.chunks) {
            long blk = c.uncompressedOffset() / BootstrapLayout.BLOCK;
            if (blk > 0xFFFF_FFFFL) {
                throw new BuildException(n.path + ": v6 block address 0x" + Long.toHexString(blk) + " is too big");
            }
            Le.put16(img.b, off, c.index() & 0xFFFF);
            Le.put16(img.b, off + 2, ((c.blobIndex() + 1) & 0xFF) | (((c.index() >>> 16) & 0xFF) << 8));
            Le.put32(img.b, off + 4, blk);
            off += 8;
            chunkTable.put(c, c);
            if (prev != null && (prev.uncompressedOffset() + chunkSize != c.uncompressedOffset()
                    || prev.blobIndex() != c.blobIndex())) {
                continuous = false;
            }
            prev = c;
        }
        img.mark(off);
        // With all chunks contiguous in the uncompressed blob, one EROFS chunk covers the whole
        // file, which lets the kernel share page cache across files (upstream's optimisation).
        long erofsChunk = continuous && n.size > chunkSize ? Long.highestOneBit(n.size - 1) << 1 : chunkSize;
        int bits = Long.numberOfTrailingZeros(erofsChunk) - 12;
        return 0x20 | bits;
    }

    private void writeDirents(Image img, long metaAddr, Tree dirTree, long parentOffset) {
        Node dir = dirTree.node;
        if (!dir.isDir()) {
            return;
        }
        List<Object[]> entries = new ArrayList<>(dirTree.children.size() + 2);
        entries.add(new Object[] {new byte[] {'.'}, dir.v6Offset, 2});
        entries.add(new Object[] {new byte[] {'.', '.'}, parentOffset, 2});
        for (Tree c : dirTree.children) {
            entries.add(new Object[] {c.name, c.node.v6Offset, fileType(c.node)});
        }
        entries.sort((a, c) -> Arrays.compareUnsigned((byte[]) a[0], (byte[]) c[0]));
        long blockSize = BootstrapLayout.BLOCK;
        long direntOff = metaAddr + dir.v6DirentsOffset;
        int start = 0;
        long used = 0;
        for (int i = 0; i < entries.size(); i++) {
            byte[] name = (byte[]) entries.get(i)[0];
            long len = name.length + 12L;
            if (used + len > blockSize) {
                writeDirBlock(img, direntOff, entries.subList(start, i));
                direntOff += Le.align(used, blockSize);
                used = 0;
                start = i;
            }
            used += len;
        }
        if (used > 0) {
            long tailOff = dir.v6Layout == BootstrapLayout.LAYOUT_FLAT_INLINE
                    ? metaAddr + dir.v6Offset + dir.v6InodeSizeWithXattr() : direntOff;
            writeDirBlock(img, tailOff, entries.subList(start, entries.size()));
        }
        for (Tree c : dirTree.children) {
            if (c.node.isDir()) {
                writeDirents(img, metaAddr, c, dir.v6Offset);
            }
        }
    }

    private static void writeDirBlock(Image img, long off, List<Object[]> entries) {
        int o = (int) off;
        int nameOff = entries.size() * 12;
        int pos = o + nameOff;
        for (int i = 0; i < entries.size(); i++) {
            Object[] e = entries.get(i);
            byte[] name = (byte[]) e[0];
            Le.put64(img.b, o + i * 12, (Long) e[1] / BootstrapLayout.SLOT);
            Le.put16(img.b, o + i * 12 + 8, nameOff);
            img.b[o + i * 12 + 10] = (byte) (int) (Integer) e[2];
            System.arraycopy(name, 0, img.b, pos, name.length);
            pos += name.length;
            nameOff += name.length;
        }
        img.mark(pos);
    }

    static int fileType(Node n) {
        return switch (n.type()) {
            case Node.S_IFREG -> 1;
            case Node.S_IFDIR -> 2;
            case Node.S_IFCHR -> 3;
            case Node.S_IFBLK -> 4;
            case Node.S_IFIFO -> 5;
            case Node.S_IFSOCK -> 6;
            case Node.S_IFLNK -> 7;
            default -> 0;
        };
    }

    /** The bootstrap bytes up to the end of the metadata area, and how far they have been written. */
    private static final class Image {
        final byte[] b;
        int end;

        Image(int size) {
            b = new byte[size];
            end = V6Writer.DEVTABLE_OFFSET;
        }

        void mark(long e) {
            if (e > end) {
                end = (int) e;
            }
        }
    }
}
