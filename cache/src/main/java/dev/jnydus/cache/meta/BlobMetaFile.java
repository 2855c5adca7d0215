package dev.jnydus.cache.meta;

import dev.jnydus.backend.BlobBackend;
import dev.jnydus.backend.BlobReader;
import dev.jnydus.backend.codec.ChunkCodec;
import dev.jnydus.cache.device.BlobInfo;
import dev.jnydus.cache.device.ChunkInfo;
import dev.jnydus.cache.device.ChunkTable;
import dev.jnydus.common.BlobFeatures;
import dev.jnydus.common.ChunkFlags;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A blob's chunk-info table, cached as {@code <blob_id>.blob.meta} (rafs-format 7.1 to 7.4; nydus
 * {@code storage/src/meta/mod.rs}): the uncompressed ci array padded to 4 KiB, then the 4096-byte
 * compression-context header. An existing file whose header matches the blob table entry is used
 * as is (the snapshotter may have put it there); otherwise the array and header are fetched from
 * the blob ({@code ci_compressed_size + 4096} bytes at {@code ci_offset}, three tries), checked,
 * decompressed and written, replacing the file atomically.
 *
 * <p>The table gives offsets, sizes and flags; digests are not in it (they live in the bootstrap
 * or {@code .blob.digest}), so its chunks carry none.
 */
public final class BlobMetaFile {
    private static final Logger LOG = LoggerFactory.getLogger(BlobMetaFile.class);

    public static final String SUFFIX = ".blob.meta";
    public static final int MAGIC = 0xB10B_B10B;
    public static final int HEADER_SIZE = 4096;
    static final int V1_SIZE = 16;
    static final int V2_SIZE = 24;
    private static final int TRIES = 3;

    private final ChunkTable table;
    private final boolean fetched;

    private BlobMetaFile(ChunkTable table, boolean fetched) {
        this.table = table;
        this.fetched = fetched;
    }

    public ChunkTable table() {
        return table;
    }

    /** Whether the table came from the backend (rather than an existing file). */
    public boolean fetched() {
        return fetched;
    }

    static long roundUp4k(long v) {
        return (v + 4095) & ~4095L;
    }

    /** Loads the table of {@code blob} from {@code workDir}, fetching it from {@code backend} when needed. */
    public static BlobMetaFile load(Path workDir, BlobInfo blob, BlobBackend backend) throws IOException {
        BlobInfo.BlobMetaLocation loc = blob.meta();
        if (loc == null) {
            throw new IllegalArgumentException("blob " + blob.blobId() + " has no chunk info table");
        }
        if (blob.hasFeature(BlobFeatures.SEPARATE)) {
            throw new IOException("blob " + blob.blobId() + ": separate meta blobs are not supported");
        }
        if (blob.chunkCount() <= 0) {
            throw new IOException("blob " + blob.blobId() + ": invalid chunk count " + blob.chunkCount());
        }
        long aligned = roundUp4k(loc.ciUncompressedSize());
        long expected = aligned + HEADER_SIZE;
        Path path = workDir.resolve(blob.blobId() + SUFFIX);
        if (Files.isRegularFile(path) && Files.size(path) == expected) {
            byte[] file = Files.readAllBytes(path);
            ByteBuffer header = ByteBuffer.wrap(file, (int) aligned, HEADER_SIZE).slice().order(ByteOrder.LITTLE_ENDIAN);
            String why = headerMismatch(blob, header);
            if (why == null) {
                return new BlobMetaFile(parse(blob, file, (int) loc.ciUncompressedSize()), false);
            }
            LOG.warn("{}: {}; fetching it again", path, why);
        }
        IOException last = null;
        for (int attempt = 1; attempt <= TRIES; attempt++) {
            try (BlobReader reader = backend.open(blob.blobId())) {
                byte[] raw = reader.read(loc.ciOffset(), (int) (loc.ciCompressedSize() + HEADER_SIZE));
                ByteBuffer header = ByteBuffer.wrap(raw, (int) loc.ciCompressedSize(), HEADER_SIZE).slice()
                        .order(ByteOrder.LITTLE_ENDIAN);
                String why = headerMismatch(blob, header);
                if (why != null) {
                    throw new IOException("blob " + blob.blobId() + ": chunk info header " + why);
                }
                byte[] file = new byte[(int) expected];
                // decompress reads only raw[0, ciCompressedSize): the header after it stays out.
                ChunkCodec.decompress(loc.ciCompressor(), raw, (int) loc.ciCompressedSize(), file,
                        (int) loc.ciUncompressedSize());
                System.arraycopy(raw, (int) loc.ciCompressedSize(), file, (int) aligned, HEADER_SIZE);
                ChunkTable table = parse(blob, file, (int) loc.ciUncompressedSize());
                writeAtomically(path, file);
                return new BlobMetaFile(table, true);
            } catch (IOException e) {
                last = e;
                LOG.debug("fetching chunk info of blob {} (attempt {}): {}", blob.blobId(), attempt, e.toString());
            }
        }
        throw last;
    }

    private static void writeAtomically(Path path, byte[] content) throws IOException {
        Path tmp = path.resolveSibling(path.getFileName() + ".tmp" + ProcessHandle.current().pid());
        Files.write(tmp, content);
        try {
            Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Why {@code h} does not describe {@code blob}'s table, or null when it does. */
    static String headerMismatch(BlobInfo blob, ByteBuffer h) {
        BlobInfo.BlobMetaLocation loc = blob.meta();
        if (h.getInt(0) != MAGIC || h.getInt(HEADER_SIZE - 4) != MAGIC) {
            return String.format("has bad magic 0x%08x/0x%08x", h.getInt(0), h.getInt(HEADER_SIZE - 4));
        }
        if (Integer.toUnsignedLong(h.getInt(12)) != blob.chunkCount()) {
            return "has " + Integer.toUnsignedLong(h.getInt(12)) + " entries, the blob " + blob.chunkCount() + " chunks";
        }
        if (h.getInt(8) != loc.ciCompressor().id()) {
            return "names compressor " + h.getInt(8) + ", the blob table " + loc.ciCompressor().id();
        }
        if (h.getLong(16) != loc.ciOffset() || h.getLong(24) != loc.ciCompressedSize()
                || h.getLong(32) != loc.ciUncompressedSize()) {
            return "locates the table at " + h.getLong(16) + " (" + h.getLong(24) + "/" + h.getLong(32)
                    + " bytes), the blob table at " + loc.ciOffset() + " (" + loc.ciCompressedSize() + "/"
                    + loc.ciUncompressedSize() + ")";
        }
        return null;
    }

    /** Decodes the ci array (v1 or v2 records by the blob's CHUNK_INFO_V2 feature). */
    static ChunkTable parse(BlobInfo blob, byte[] data, int length) throws IOException {
        boolean v2 = blob.hasFeature(BlobFeatures.CHUNK_INFO_V2);
        int rec = v2 ? V2_SIZE : V1_SIZE;
        int count = blob.chunkCount();
        if ((long) count * rec > length) {
            throw new IOException("blob " + blob.blobId() + ": chunk info table of " + length + " bytes is too small for "
                    + count + " records of " + rec + " bytes");
        }
        ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        List<ChunkInfo> chunks = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int at = i * rec;
            long uncomp = b.getLong(at);
            long comp = b.getLong(at + 8);
            ChunkInfo c;
            if (v2) {
                long uoff = (uncomp & 0xFFFF_FFFFL) << 12;
                int usize = (int) ((uncomp >>> 32) & 0xFF_FFFF) + 1;
                int flags = (int) (uncomp >>> 56);
                long coff = comp & 0xFF_FFFF_FFFFL;
                int csize = (int) (comp >>> 40);
                long data2 = b.getLong(at + 16);
                int f = 0;
                f |= (flags & 0x01) != 0 ? ChunkFlags.COMPRESSED : 0;
                f |= (flags & 0x04) != 0 ? ChunkFlags.BATCH : 0;
                f |= (flags & 0x08) != 0 ? ChunkFlags.ENCRYPTED : 0;
                f |= (flags & 0x10) != 0 ? ChunkFlags.HAS_CRC32 : 0;
                if ((flags & ~0x1F) != 0) {
                    throw new IOException("blob " + blob.blobId() + " chunk " + i + ": invalid ci flags 0x"
                            + Integer.toHexString(flags));
                }
                int crc = (flags & 0x10) != 0 ? (int) data2 : 0;
                c = new ChunkInfo(blob.index(), i, coff, csize, uoff, usize, f, null, crc);
            } else {
                long uoff = uncomp & 0xFFF_FFFF_F000L;
                int usize = (int) (((uncomp >>> 44) & 0xF_FFFF) | ((uncomp & 0xF00) << 12)) + 1;
                long coff = comp & 0xFF_FFFF_FFFFL;
                int csize = (int) (((comp >>> 44) & 0xF_FFFF) | ((comp & 0xF00_0000_0000L) >>> 20)) + 1;
                c = ChunkInfo.of(blob.index(), i, coff, csize, uoff, usize, csize != usize, null);
            }
            if (c.compressedEnd() > blob.compressedSize() && blob.compressedSize() > 0) {
                throw new IOException("blob " + blob.blobId() + " chunk " + i + " ends at " + c.compressedEnd()
                        + ", past the blob's " + blob.compressedSize() + " bytes");
            }
            chunks.add(c);
        }
        return ChunkTable.of(chunks);
    }

    /** Encodes a v1 record (for tests and tools that build tables). */
    public static void encodeV1(ChunkInfo c, ByteBuffer dst) {
        long usize = c.uncompressedSize() - 1L;
        long csize = c.compressedSize() - 1L;
        long uncomp = (c.uncompressedOffset() & 0xFFF_FFFF_F000L) | ((usize & 0xF_FFFF) << 44) | ((usize & 0xF0_0000) >>> 12);
        long comp = (c.compressedOffset() & 0xFF_FFFF_FFFFL) | ((csize & 0xF_FFFF) << 44) | ((csize & 0xF0_0000) << 20);
        dst.order(ByteOrder.LITTLE_ENDIAN).putLong(uncomp).putLong(comp);
    }

    /** Encodes a compression-context header for {@code blob} (for tests and tools). */
    public static byte[] header(BlobInfo blob) {
        BlobInfo.BlobMetaLocation loc = blob.meta();
        ByteBuffer h = ByteBuffer.allocate(HEADER_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        h.putInt(0, MAGIC).putInt(4, blob.features()).putInt(8, loc.ciCompressor().id()).putInt(12, blob.chunkCount())
                .putLong(16, loc.ciOffset()).putLong(24, loc.ciCompressedSize()).putLong(32, loc.ciUncompressedSize())
                .putInt(HEADER_SIZE - 4, MAGIC);
        return h.array();
    }
}
