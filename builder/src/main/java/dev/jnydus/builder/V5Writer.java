package dev.jnydus.builder;

import dev.jnydus.common.Compressor;
import dev.jnydus.common.Digester;
import dev.jnydus.rafs.layout.SuperFlags;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Writes a RAFS v5 bootstrap (rafs-format 4; upstream {@code builder/src/core/v5.rs}): superblock,
 * inode table, prefetch table, blob table, extended blob table, then the inode records in
 * depth-first pre-order, each with its name, symlink target, xattr table and chunk records. Inode
 * digests form a Merkle tree up to the root (rafs-format 8.3).
 */
final class V5Writer {
    static final int SUPERBLOCK_SIZE = 8192;
    static final int INODE_SIZE = 128;
    static final int EXT_BLOB_ENTRY_SIZE = 64;

    private final BootstrapLayout layout;
    private final List<BlobEntry> blobs;
    private final boolean explicitUidGid;
    private final Compressor compressor;
    private final Digester digester;
    private final int chunkSize;

    V5Writer(BootstrapLayout layout, List<BlobEntry> blobs, boolean explicitUidGid, Compressor compressor,
            Digester digester, int chunkSize) {
        this.layout = layout;
        this.blobs = blobs;
        this.explicitUidGid = explicitUidGid;
        this.compressor = compressor;
        this.digester = digester;
        this.chunkSize = chunkSize;
    }

    void write(Tree tree, OutputStream out) throws IOException {
        tree.walkPost(this::digest);

        long entries = layout.indexCount();
        long inodeTableSize = Le.align(entries * 4, 8);
        List<Node> prefetchNodes = layout.prefetch.tableNodes();
        long prefetchSize = layout.prefetch.enabled() ? Le.align(prefetchNodes.size() * 4L, 8) : 0;
        byte[] blobTable = blobTable();
        long prefetchOffset = SUPERBLOCK_SIZE + inodeTableSize;
        long blobTableOffset = prefetchOffset + prefetchSize;
        long extOffset = blobTableOffset + blobTable.length;
        long extSize = (long) blobs.size() * EXT_BLOB_ENTRY_SIZE;

        // Inode offsets, pre-order.
        byte[] inodeTable = new byte[(int) inodeTableSize];
        long[] off = {SUPERBLOCK_SIZE + inodeTableSize + prefetchSize + blobTable.length + extSize};
        boolean[] hasXattr = {false};
        IOException[] failure = {null};
        tree.walkPre(t -> {
            Node n = t.node;
            if (off[0] >>> 3 >= (1L << 29)) {
                failure[0] = new BuildException("bootstrap too large for the v5 inode table");
                return;
            }
            Le.put32(inodeTable, (int) (n.index - 1) * 4, off[0] >>> 3);
            off[0] += recordSize(n);
            if (!n.xattrs.isEmpty()) {
                hasXattr[0] = true;
            }
        });
        if (failure[0] != null) {
            throw failure[0];
        }

        byte[] sb = new byte[SUPERBLOCK_SIZE];
        long flags = RafsFlags.of(compressor, digester);
        if (explicitUidGid) {
            flags |= SuperFlags.EXPLICIT_UID_GID;
        }
        if (hasXattr[0]) {
            flags |= SuperFlags.HAS_XATTR;
        }
        Le.put32(sb, 0, 0x52414653);
        Le.put32(sb, 4, 0x500);
        Le.put32(sb, 8, SUPERBLOCK_SIZE);
        Le.put32(sb, 12, chunkSize);
        Le.put64(sb, 16, flags);
        Le.put64(sb, 24, layout.inodeCount);
        Le.put64(sb, 32, SUPERBLOCK_SIZE);
        Le.put64(sb, 40, prefetchOffset);
        Le.put64(sb, 48, blobTableOffset);
        Le.put32(sb, 56, entries);
        Le.put32(sb, 60, layout.prefetch.enabled() ? prefetchNodes.size() : 0);
        Le.put32(sb, 64, blobTable.length);
        Le.put32(sb, 68, blobs.size());
        Le.put64(sb, 72, extOffset);
        out.write(sb);
        out.write(inodeTable);
        if (prefetchSize > 0) {
            byte[] pt = new byte[(int) prefetchSize];
            for (int i = 0; i < prefetchNodes.size(); i++) {
                Le.put32(pt, i * 4, prefetchNodes.get(i).ino);
            }
            out.write(pt);
        }
        out.write(blobTable);
        byte[] ext = new byte[(int) extSize];
        for (int i = 0; i < blobs.size(); i++) {
            BlobEntry b = blobs.get(i);
            Le.put32(ext, i * EXT_BLOB_ENTRY_SIZE, b.chunkCount());
            Le.put32(ext, i * EXT_BLOB_ENTRY_SIZE + 4, b.features());
            Le.put64(ext, i * EXT_BLOB_ENTRY_SIZE + 8, b.uncompressedSize());
            Le.put64(ext, i * EXT_BLOB_ENTRY_SIZE + 16, b.compressedSize());
        }
        out.write(ext);

        List<Tree> order = new ArrayList<>();
        tree.walkPre(order::add);
        for (Tree t : order) {
            writeRecord(t, out);
        }
    }

    private byte[] blobTable() {
        if (blobs.isEmpty()) {
            return new byte[0];
        }
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int i = 0; i < blobs.size(); i++) {
            BlobEntry e = blobs.get(i);
            byte[] hdr = new byte[8];
            Le.put32(hdr, 0, e.readaheadOffset());
            Le.put32(hdr, 4, e.readaheadSize());
            b.writeBytes(hdr);
            b.writeBytes(e.blobId().getBytes(StandardCharsets.US_ASCII));
            if (i < blobs.size() - 1) {
                b.write(0);
            }
        }
        byte[] raw = b.toByteArray();
        return java.util.Arrays.copyOf(raw, (int) Le.align(raw.length, 8));
    }

    /** v5 directory size: upstream's stable pseudo size, 8 bytes plus the name per child. */
    private static long dirSize(Tree t) {
        long d = 0;
        for (Tree c : t.children) {
            d += c.name.length + 8;
        }
        return d == 0 ? 4096 : Le.align(d, 4096);
    }

    private static long recordSize(Node n) {
        long size = INODE_SIZE + Le.align(n.nameBytes().length, 8);
        if (n.symlink != null && n.isSymlink()) {
            size += Le.align(n.symlink.length, 8);
        }
        if (!n.xattrs.isEmpty()) {
            size += 8 + Le.align(n.xattrSizeV5(), 8);
        }
        if (n.isReg()) {
            size += (long) n.chunks.size() * Chunk.SIZE;
        }
        return size;
    }

    private void digest(Tree t) {
        Node n = t.node;
        ChunkDumper.InodeHasher h = new ChunkDumper.InodeHasher(digester);
        if (n.isDir()) {
            n.size = dirSize(t);
            for (Tree c : t.children) {
                h.update(c.node.digest);
            }
        } else if (n.isReg()) {
            for (Chunk c : n.chunks) {
                h.update(c.digest());
            }
        } else if (n.isSymlink()) {
            h = null;
            n.digest = dev.jnydus.backend.codec.ChunkDigest.digest(digester, n.symlink, 0, n.symlink.length);
        }
        if (h != null) {
            n.digest = h.finish();
        }
    }

    private void writeRecord(Tree t, OutputStream out) throws IOException {
        Node n = t.node;
        if (n.isReg() && n.chunks.size() != n.chunkCount(chunkSize)) {
            throw new BuildException(n.path + ": invalid chunk count " + n.chunks.size());
        }
        byte[] name = n.nameBytes();
        if (name.length == 0 || name.length > 0xFFFF) {
            throw new BuildException(n.path + ": invalid name length " + name.length);
        }
        byte[] r = new byte[INODE_SIZE];
        System.arraycopy(n.digest, 0, r, 0, 32);
        Le.put64(r, 32, n.parentIno);
        Le.put64(r, 40, n.ino);
        Le.put32(r, 48, n.uid);
        Le.put32(r, 52, n.gid);
        Le.put32(r, 60, n.mode);
        Le.put64(r, 64, n.size);
        long xattrAligned = n.xattrs.isEmpty() ? 0 : Le.align(n.xattrSizeV5(), 8);
        Le.put64(r, 72, (n.size + xattrAligned + 511) / 512);
        long flags = 0;
        if (n.isSymlink()) {
            flags |= Node.FLAG_SYMLINK;
        }
        if (n.tarHardlink) {
            flags |= Node.FLAG_HARDLINK;
        }
        if (!n.xattrs.isEmpty()) {
            flags |= Node.FLAG_XATTR;
        }
        Le.put64(r, 80, flags);
        Le.put32(r, 88, n.nlink);
        if (n.isDir()) {
            Le.put32(r, 92, n.childIndex);
            Le.put32(r, 96, n.childCount);
        } else if (n.isReg()) {
            Le.put32(r, 96, n.chunks.size());
        }
        Le.put16(r, 100, name.length);
        Le.put16(r, 102, n.isSymlink() ? n.symlink.length : 0);
        Le.put32(r, 104, n.rdev);
        Le.put32(r, 108, n.mtimeNsec);
        Le.put64(r, 112, n.mtime);
        out.write(r);
        out.write(padded(name));
        if (n.isSymlink()) {
            out.write(padded(n.symlink));
        }
        if (!n.xattrs.isEmpty()) {
            int payload = n.xattrSizeV5();
            byte[] x = new byte[8 + (int) Le.align(payload, 8)];
            Le.put64(x, 0, payload);
            int o = 8;
            for (Map.Entry<byte[], byte[]> e : n.xattrs.entrySet()) {
                byte[] k = e.getKey();
                byte[] v = e.getValue();
                Le.put32(x, o, k.length + 1 + v.length);
                System.arraycopy(k, 0, x, o + 4, k.length);
                System.arraycopy(v, 0, x, o + 4 + k.length + 1, v.length);
                o += 4 + k.length + 1 + v.length;
            }
            out.write(x);
        }
        if (n.isReg()) {
            byte[] rec = new byte[Chunk.SIZE];
            for (Chunk c : n.chunks) {
                c.encode(rec, 0);
                out.write(rec);
            }
        }
    }

    private static byte[] padded(byte[] b) {
        return java.util.Arrays.copyOf(b, (int) Le.align(b.length, 8));
    }
}
