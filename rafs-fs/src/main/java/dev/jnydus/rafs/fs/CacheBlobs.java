package dev.jnydus.rafs.fs;

import dev.jnydus.cache.device.BlobInfo;
import dev.jnydus.cache.device.ChunkInfo;
import dev.jnydus.cache.device.ChunkTable;
import dev.jnydus.rafs.metadata.ChunkRef;
import dev.jnydus.rafs.metadata.RafsFormatException;
import dev.jnydus.rafs.metadata.RafsSuper;
import dev.jnydus.rafs.metadata.RafsVersion;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Translates the reader's blob table and chunk references into the cache's records, one to one.
 *
 * <p>Plain EROFS images ({@code mkfs.erofs --blobdev}) have no chunk table: a chunk is named by
 * its block address on the device, which is unique per stored chunk, so that address becomes the
 * cache's chunk index (the reader's chunk index is the chunk's position in its file, which repeats
 * across files). Such devices report no chunk count, so the cache keeps their readiness in memory
 * only: a device file named by a tag or by "deviceN" is not an identity that survives a rebuild.
 */
public final class CacheBlobs {
    private final RafsSuper sb;
    private final boolean erofs;
    private final int blockShift;

    public CacheBlobs(RafsSuper sb) {
        this.sb = sb;
        this.erofs = sb.version() == RafsVersion.EROFS;
        this.blockShift = Integer.numberOfTrailingZeros(sb.blockSize());
    }

    /**
     * The cache's view of the image's blobs, by blob index. RAFS v5 blobs come with their chunk
     * tables, learnt from the bootstrap (see {@link V5ChunkTables}); v6 blobs take theirs from the
     * bootstrap's chunk table when it names every chunk of the blob (see {@link V6ChunkTables}),
     * and otherwise from their own chunk-info array, which the cache fetches.
     */
    public List<BlobInfo> blobs() {
        Map<Integer, ChunkTable> tables = switch (sb.version()) {
            case V5 -> V5ChunkTables.build(sb, this);
            case V6 -> V6ChunkTables.build(sb, this);
            default -> Map.of();
        };
        List<BlobInfo> out = new ArrayList<>();
        for (dev.jnydus.rafs.metadata.BlobInfo b : sb.blobs()) {
            out.add(blob(b, tables.get(b.index())));
        }
        return out;
    }

    private BlobInfo blob(dev.jnydus.rafs.metadata.BlobInfo b, ChunkTable table) {
        BlobInfo.Builder out = BlobInfo.builder(b.blobId())
                .index(b.index())
                .compressor(b.compressor())
                .digester(b.digester())
                .chunkSize(b.chunkSize())
                .chunkCount(erofs ? 0 : b.chunkCount())
                .compressedSize(b.compressedSize())
                .uncompressedSize(b.uncompressedSize())
                .features(b.features())
                .prefetchRegion(b.readaheadOffset(), b.readaheadSize())
                .chunkTable(table);
        if (b.ciCompressedSize() > 0 && b.ciUncompressedSize() > 0 && b.ciCompressor() != null) {
            out.meta(new BlobInfo.BlobMetaLocation(b.ciOffset(), b.ciCompressedSize(), b.ciUncompressedSize(),
                    b.ciCompressor()));
        }
        return out.build();
    }

    /**
     * The cache's record of one chunk.
     *
     * @throws RafsFormatException when the reference cannot describe stored data (a negative
     *     offset or a size of 0 or less: values the reader passes on as stored)
     */
    public ChunkInfo chunk(ChunkRef c) throws RafsFormatException {
        try {
            if (erofs) {
                int index = (int) (c.compressedOffset() >>> blockShift);
                return new ChunkInfo(c.blobIndex(), index, c.compressedOffset(), c.compressedSize(),
                        c.uncompressedOffset(), c.uncompressedSize(), 0, null, 0);
            }
            return new ChunkInfo(c.blobIndex(), c.chunkIndex(), c.compressedOffset(), c.compressedSize(),
                    c.uncompressedOffset(), c.uncompressedSize(), c.flags(), c.digest(), c.crc32());
        } catch (IllegalArgumentException e) {
            throw new RafsFormatException("corrupt chunk record of blob " + blobId(c.blobIndex()) + ": " + e.getMessage());
        }
    }

    /** The blob id of a blob index, for messages. */
    public String blobId(int index) {
        List<dev.jnydus.rafs.metadata.BlobInfo> blobs = sb.blobs();
        return index >= 0 && index < blobs.size() ? blobs.get(index).blobId() : "#" + index;
    }
}
