package dev.jnydus.fscache;

import dev.jnydus.cache.device.BlobInfo;
import dev.jnydus.rafs.metadata.RafsSuper;
import java.util.ArrayList;
import java.util.List;

/**
 * The data blobs of a RAFS v6 bootstrap in the cache's terms. fscache mode places chunks by their
 * uncompressed offsets, which only the blob's chunk-info array ("blob meta") gives for every chunk,
 * so each blob must have one; the cache loads it into work_dir as {@code <blob id>.blob.meta}.
 */
final class BootstrapBlobs {
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
                    .build());
        }
        return out;
    }
}
