package dev.jnydus.fscache;

import dev.jnydus.cache.device.BlobInfo;
import dev.jnydus.cache.device.ChunkInfo;
import dev.jnydus.cache.device.ChunkTable;
import dev.jnydus.rafs.metadata.ChunkRef;
import dev.jnydus.rafs.metadata.RafsFormatException;
import dev.jnydus.rafs.metadata.RafsSuper;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The data blobs of a RAFS v6 bootstrap in the cache's terms. fscache mode places chunks by their
 * uncompressed offsets, so it needs every chunk of a blob. The bootstrap's chunk table names them
 * when every chunk of the blob is used by some file (a single-layer image), with their digests, so
 * that {@code cache.validate} checks chunks as in FUSE mode; such a table is copied here (the
 * bootstrap is not kept open). Otherwise the cache loads the blob's chunk-info array ("blob meta",
 * {@code <blob id>.blob.meta} in work_dir), which every blob must have.
 */
final class BootstrapBlobs {
    private static final Logger LOG = LoggerFactory.getLogger(BootstrapBlobs.class);
    private BootstrapBlobs() {
    }

    /** The blobs; throws naming the first blob without a chunk-info array. */
    static List<BlobInfo> of(RafsSuper sb) throws BlobCacheException {
        List<BlobInfo> out = new ArrayList<>();
        for (dev.jnydus.rafs.metadata.BlobInfo b : sb.blobs()) {
            if (b.ciCompressedSize() <= 0 || b.ciUncompressedSize() <= 0 || b.ciCompressor() == null
                    || b.chunkCount() <= 0) {
                throw new BlobCacheException(BlobCacheException.Kind.FAILED, "blob_cache: blob " + b.blobId()
                        + " has no chunk info table (blob meta); fscache mode needs it (build with nydus-image "
                        + "create --fs-version 6)");
            }
            ChunkTable table = bootstrapTable(sb, b);
            out.add(BlobInfo.builder(b.blobId())
                    .index(b.index())
                    .compressor(b.compressor())
                    .digester(b.digester())
                    .chunkSize(b.chunkSize())
                    .chunkCount(b.chunkCount())
                    .compressedSize(b.compressedSize())
                    .uncompressedSize(b.uncompressedSize())
                    .features(b.features())
                    .prefetchRegion(b.readaheadOffset(), b.readaheadSize())
                    .meta(new BlobInfo.BlobMetaLocation(b.ciOffset(), b.ciCompressedSize(), b.ciUncompressedSize(),
                            b.ciCompressor()))
                    .chunkTable(table)
                    .build());
        }
        return out;
    }

    /** The blob's chunks from the bootstrap's chunk table when it names all of them, else null. */
    private static ChunkTable bootstrapTable(RafsSuper sb, dev.jnydus.rafs.metadata.BlobInfo b) {
        try {
            if (sb.chunkRecords(b.index()) != b.chunkCount()) {
                return null;
            }
            List<ChunkInfo> chunks = new ArrayList<>(b.chunkCount());
            for (int i = 0; i < b.chunkCount(); i++) {
                ChunkRef c = sb.chunkRecord(b.index(), i);
                if (c == null) {
                    return null;
                }
                chunks.add(new ChunkInfo(c.blobIndex(), c.chunkIndex(), c.compressedOffset(), c.compressedSize(),
                        c.uncompressedOffset(), c.uncompressedSize(), c.flags(), c.digest(), c.crc32()));
            }
            return ChunkTable.of(chunks);
        } catch (RafsFormatException | IllegalArgumentException e) {
            LOG.warn("blob_cache: blob {}: the bootstrap's chunk table is unusable ({}); its blob meta is loaded",
                    b.blobId(), e.getMessage());
            return null;
        }
    }
}
