package dev.jnydus.builder;

import dev.jnydus.backend.codec.ChunkCodec;
import dev.jnydus.backend.codec.ChunkDigest;
import dev.jnydus.common.BlobFeatures;
import dev.jnydus.common.ChunkFlags;
import dev.jnydus.common.Compressor;
import dev.jnydus.common.Digester;
import dev.jnydus.common.Hex;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;

/**
 * Writes one data blob: chunk data in dump order, then (v6) the chunk-info array and its 4 KiB
 * header, and with the ToC feature the reverse tar headers, the chunk digest array and the table
 * of contents (rafs-format 6.5, 7). Upstream: {@code builder/src/core/blob.rs},
 * {@code node.rs::dump_file_chunk}, {@code lib.rs::dump_toc}.
 *
 * <p>Deliberate difference: the blob id is the SHA-256 of the complete file. Upstream leaves the
 * chunk digest array out of the hash (it is written around the hasher), so its ids do not match a
 * registry digest of the file; readers accept either.
 */
final class BlobWriter implements AutoCloseable {
    static final int CI_V1_SIZE = 16;
    static final int CI_V2_SIZE = 24;
    static final int META_HEADER_SIZE = 4096;
    static final int MAX_CHUNKS = 0xFF_FFFF;
    private static final int MAGIC = 0xB10BB10B;
    private static final int TOC_ENTRY_SIZE = 128;

    private final OutputStream out;
    private final MessageDigest sha = ChunkDigest.sha256();
    private final Compressor compressor;
    private final Digester digester;
    private final int chunkSize;
    private final boolean v6;
    private final boolean toc;
    private final boolean alignUncompressed;
    private final boolean alignStored;
    private final boolean ciV2;

    private long pos;
    private long uncompressedEnd;
    private int chunkCount;
    private final ByteArrayOutputStream ci = new ByteArrayOutputStream();
    private final ByteArrayOutputStream digests = new ByteArrayOutputStream();
    private final ByteArrayOutputStream tocEntries = new ByteArrayOutputStream();

    /**
     * @param file where to write (a temporary file; the caller renames it to the blob id)
     * @param alignedChunk upstream {@code --aligned-chunk} for v5; with compressor none also stores
     *     chunks at 4 KiB aligned offsets so the blob can back an EROFS device directly
     */
    BlobWriter(Path file, BuildOptions o) throws IOException {
        this.out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20);
        this.compressor = o.compressor();
        this.digester = o.digester();
        this.chunkSize = o.chunkSize();
        this.v6 = o.fsVersion() == 6;
        this.toc = o.blobToc();
        this.alignUncompressed = v6 || o.alignedChunk();
        this.alignStored = o.alignedChunk() && o.compressor() == Compressor.NONE;
        // Gzip chunks need v2 records: without CHUNK_INFO_V2 upstream nydusd takes a gzip blob for
        // a legacy stargz one and stream-decodes it.
        this.ciV2 = o.compressor() == Compressor.GZIP;
    }

    int chunkCount() {
        return chunkCount;
    }

    /**
     * Appends one new (not deduplicated) chunk.
     *
     * @param stored the compressed bytes, or {@code null} to store {@code data} raw
     */
    Chunk append(byte[] data, int len, byte[] stored, byte[] digest, int crc32, long fileOffset)
            throws IOException {
        if (chunkCount >= MAX_CHUNKS) {
            throw new BuildException("the number of chunks in blob exceeds " + MAX_CHUNKS);
        }
        long uncompOff = uncompressedEnd;
        uncompressedEnd += alignUncompressed ? Le.align(len, 4096) : len;
        if (alignStored) {
            padTo(Le.align(pos, 4096));
        }
        long compOff = pos;
        int compSize;
        boolean compressed = stored != null;
        if (compressed) {
            write(stored, 0, stored.length);
            compSize = stored.length;
        } else {
            write(data, 0, len);
            compSize = len;
        }
        int index = chunkCount++;
        int flags = (compressed ? ChunkFlags.COMPRESSED : 0) | ChunkFlags.HAS_CRC32;
        if (v6) {
            addCi(compOff, compSize, uncompOff, len, compressed, crc32);
            digests.write(digest);
        }
        return new Chunk(digest, 0, index, flags, compOff, compSize, uncompOff, len, fileOffset, crc32);
    }

    private void addCi(long compOff, int compSize, long uncompOff, int uncompSize, boolean compressed, int crc) {
        byte[] r;
        if (ciV2) {
            r = new byte[CI_V2_SIZE];
            long flags = (compressed ? 0x01L : 0) | 0x10L;
            Le.put64(r, 0, (uncompOff >>> 12) | ((long) (uncompSize - 1) << 32) | (flags << 56));
            Le.put64(r, 8, (compOff & 0xFF_FFFF_FFFFL) | ((long) compSize << 40));
            Le.put64(r, 16, crc & 0xFFFF_FFFFL);
        } else {
            r = new byte[CI_V1_SIZE];
            long us = uncompSize - 1L;
            long cs = compSize - 1L;
            Le.put64(r, 0, ((us & 0xF0_0000L) >>> 12) | (uncompOff & 0xFFF_FFFF_F000L) | ((us & 0xF_FFFFL) << 44));
            Le.put64(r, 8, (compOff & 0xFF_FFFF_FFFFL) | ((cs & 0xF0_0000L) << 20) | ((cs & 0xF_FFFFL) << 44));
        }
        ci.write(r, 0, r.length);
    }

    /**
     * Writes the sections after the chunk data and returns the blob-table entry. The blob id is
     * {@code fixedId} or the SHA-256 of the file.
     */
    BlobEntry finish(String fixedId) throws IOException {
        if (alignStored) {
            padTo(Le.align(pos, 4096));
        }
        long dataSize = pos;
        int features = BlobFeatures.CAP_TAR_TOC | (ciV2 ? BlobFeatures.CHUNK_INFO_V2 : 0);
        if (toc) {
            features |= BlobFeatures.HAS_TOC | BlobFeatures.HAS_TAR_HEADER;
            writeTarHeader("image.blob", dataSize);
            addTocEntry("image.blob", Compressor.NONE, cloneDigest(), 0, dataSize, uncompressedEnd);
        }
        long ciOffset = 0;
        long ciCompressedSize = 0;
        long ciUncompressedSize = 0;
        Compressor ciCompressor = Compressor.NONE;
        if (v6 && uncompressedEnd > 0) {
            features |= BlobFeatures.ALIGNED;
            if (toc && chunkCount > 0) {
                features |= BlobFeatures.INLINED_CHUNK_DIGEST;
            }
            byte[] ciData = ci.toByteArray();
            // The ToC cannot name gzip, so a gzip blob keeps its chunk-info array in zstd, the
            // compressor upstream uses for the meta of its gzip-based (ref) blobs.
            ciCompressor = compressor == Compressor.GZIP ? Compressor.ZSTD : compressor;
            byte[] packed = ChunkCodec.compress(ciCompressor, ciData, ciData.length);
            if (packed == null) {
                packed = ciData;
                ciCompressor = Compressor.NONE;
            }
            ciOffset = pos;
            ciCompressedSize = packed.length;
            ciUncompressedSize = ciData.length;
            byte[] header = metaHeader(features, ciCompressor, ciOffset, ciCompressedSize, ciUncompressedSize);
            write(packed, 0, packed.length);
            write(header, 0, header.length);
            if (toc) {
                writeTarHeader("blob.meta", ciCompressedSize + META_HEADER_SIZE);
                addTocEntry("blob.meta", ciCompressor, sha256(ciData), ciOffset, ciCompressedSize, ciUncompressedSize);
                addTocEntry("blob.meta.header", Compressor.NONE, sha256(header), ciOffset + ciCompressedSize,
                        META_HEADER_SIZE, META_HEADER_SIZE);
                byte[] d = digests.toByteArray();
                long digestOffset = pos;
                write(d, 0, d.length);
                writeTarHeader("blob.digest", d.length);
                addTocEntry("blob.digest", Compressor.NONE, sha256(d), digestOffset, d.length, d.length);
            }
        }
        int tocSize = 0;
        byte[] tocDigest = new byte[32];
        if (toc) {
            byte[] entries = tocEntries.toByteArray();
            write(entries, 0, entries.length);
            byte[] h = ReverseTar.header("rafs.blob.toc", entries.length);
            write(h, 0, h.length);
            MessageDigest td = ChunkDigest.sha256();
            td.update(entries);
            td.update(h);
            tocDigest = td.digest();
            tocSize = entries.length + ReverseTar.SIZE;
        }
        out.flush();
        String id = fixedId != null ? fixedId : Hex.of(sha.digest());
        return new BlobEntry(id, compressor, digester, chunkSize, chunkCount, pos, uncompressedEnd, features,
                ciOffset, ciCompressedSize, ciUncompressedSize, ciCompressor, tocSize, tocDigest, new byte[32], 0,
                0, 0);
    }

    private byte[] metaHeader(int features, Compressor ciComp, long ciOffset, long ciComp2, long ciUncomp) {
        byte[] h = new byte[META_HEADER_SIZE];
        Le.put32(h, 0, MAGIC);
        Le.put32(h, 4, features);
        Le.put32(h, 8, ciComp.id());
        Le.put32(h, 12, chunkCount);
        Le.put64(h, 16, ciOffset);
        Le.put64(h, 24, ciComp2);
        Le.put64(h, 32, ciUncomp);
        Le.put32(h, META_HEADER_SIZE - 4, MAGIC);
        return h;
    }

    private void addTocEntry(String name, Compressor c, byte[] digest, long off, long compSize, long uncompSize) {
        byte[] e = new byte[TOC_ENTRY_SIZE];
        int flags = switch (c) {
            case NONE -> 0x1;
            case ZSTD -> 0x2;
            case LZ4_BLOCK -> 0x4;
            case GZIP -> throw new IllegalStateException("a ToC entry cannot be gzip compressed");
        };
        Le.put32(e, 0, flags);
        byte[] n = name.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(n, 0, e, 8, n.length);
        System.arraycopy(digest, 0, e, 24, 32);
        Le.put64(e, 56, off);
        Le.put64(e, 64, compSize);
        Le.put64(e, 72, uncompSize);
        tocEntries.write(e, 0, e.length);
    }

    private void writeTarHeader(String name, long size) throws IOException {
        byte[] h = ReverseTar.header(name, size);
        write(h, 0, h.length);
    }

    private byte[] cloneDigest() {
        try {
            return ((MessageDigest) sha.clone()).digest();
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("SHA-256 digest cannot be cloned", e);
        }
    }

    private static byte[] sha256(byte[] b) {
        MessageDigest md = ChunkDigest.sha256();
        return md.digest(b);
    }

    private static final byte[] ZEROS = new byte[4096];

    private void padTo(long target) throws IOException {
        while (pos < target) {
            write(ZEROS, 0, (int) Math.min(ZEROS.length, target - pos));
        }
    }

    private void write(byte[] b, int off, int len) throws IOException {
        out.write(b, off, len);
        sha.update(b, off, len);
        pos += len;
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
