package dev.jnydus.cache.device;

import dev.jnydus.common.Compressor;
import dev.jnydus.common.Digester;

/**
 * The cache's record of one data blob of an image. The filesystem layer builds it from the RAFS
 * blob table; the cache keeps no reference to reader types.
 *
 * @param index position in the device's blob list; {@link ChunkInfo#blobIndex()} refers to it
 * @param blobId the blob's id: backend key and cache file name stem
 * @param compressor how chunks are compressed (a chunk's own flag still decides per chunk)
 * @param digester the chunk digest algorithm
 * @param chunkSize the image's chunk size (an upper bound of chunk uncompressed sizes)
 * @param chunkCount number of chunks in the blob: the chunk map's bit count; 0 when unknown (legacy
 *     v5 without the extended blob table), in which case readiness is not persisted
 * @param compressedSize size of the chunk data region of the stored blob ({@code .blob.raw} size)
 * @param uncompressedSize size of the uncompressed blob ({@code .blob.data} size)
 * @param features RAFS blob feature bits ({@link dev.jnydus.common.BlobFeatures})
 * @param prefetchOffset start of the blob-level prefetch region (compressed offsets), 0 if none
 * @param prefetchSize length of that region, 0 if none
 * @param meta where the blob's chunk-info array is stored (RAFS v6), or {@code null}
 * @param chunkTable all chunks of the blob by index when the caller knows them, or {@code null};
 *     without it (and without {@code meta}) reads are not amplified beyond the chunks asked for
 */
public record BlobInfo(
        int index,
        String blobId,
        Compressor compressor,
        Digester digester,
        int chunkSize,
        int chunkCount,
        long compressedSize,
        long uncompressedSize,
        int features,
        long prefetchOffset,
        long prefetchSize,
        BlobMetaLocation meta,
        ChunkTable chunkTable) {

    /**
     * Location of the compressed chunk-info array in the blob (rafs-format 7.1); the 4096-byte
     * header follows it.
     */
    public record BlobMetaLocation(long ciOffset, long ciCompressedSize, long ciUncompressedSize, Compressor ciCompressor) {
        public BlobMetaLocation {
            if (ciOffset < 0 || ciCompressedSize <= 0 || ciUncompressedSize <= 0 || ciCompressor == null) {
                throw new IllegalArgumentException("invalid blob meta location: offset " + ciOffset + ", compressed "
                        + ciCompressedSize + ", uncompressed " + ciUncompressedSize + ", compressor " + ciCompressor);
            }
        }
    }

    public BlobInfo {
        if (blobId == null || blobId.isEmpty() || blobId.contains("/") || blobId.equals(".") || blobId.equals("..")
                || blobId.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("invalid blob id '" + blobId + "'");
        }
        if (index < 0 || chunkCount < 0 || compressedSize < 0 || uncompressedSize < 0 || chunkSize < 0
                || prefetchOffset < 0 || prefetchSize < 0) {
            throw new IllegalArgumentException("invalid blob info for " + blobId + ": index " + index + ", chunks "
                    + chunkCount + ", sizes " + compressedSize + "/" + uncompressedSize + ", chunk size " + chunkSize);
        }
        if (compressor == null || digester == null) {
            throw new IllegalArgumentException("blob " + blobId + " needs a compressor and a digester");
        }
        if (chunkTable != null && chunkCount != 0 && chunkTable.size() != chunkCount) {
            throw new IllegalArgumentException("blob " + blobId + " has " + chunkCount + " chunks but its chunk table "
                    + chunkTable.size());
        }
    }

    public boolean hasFeature(int bit) {
        return (features & bit) != 0;
    }

    /** A copy with a chunk table attached (for example once {@code .blob.meta} is loaded). */
    public BlobInfo withChunkTable(ChunkTable table) {
        return new BlobInfo(index, blobId, compressor, digester, chunkSize, chunkCount, compressedSize, uncompressedSize,
                features, prefetchOffset, prefetchSize, meta, table);
    }

    public static Builder builder(String blobId) {
        return new Builder(blobId);
    }

    public static final class Builder {
        private final String blobId;
        private int index;
        private Compressor compressor = Compressor.NONE;
        private Digester digester = Digester.BLAKE3;
        private int chunkSize = 1 << 20;
        private int chunkCount;
        private long compressedSize;
        private long uncompressedSize;
        private int features;
        private long prefetchOffset;
        private long prefetchSize;
        private BlobMetaLocation meta;
        private ChunkTable chunkTable;

        private Builder(String blobId) {
            this.blobId = blobId;
        }

        public Builder index(int v) {
            index = v;
            return this;
        }

        public Builder compressor(Compressor v) {
            compressor = v;
            return this;
        }

        public Builder digester(Digester v) {
            digester = v;
            return this;
        }

        public Builder chunkSize(int v) {
            chunkSize = v;
            return this;
        }

        public Builder chunkCount(int v) {
            chunkCount = v;
            return this;
        }

        public Builder compressedSize(long v) {
            compressedSize = v;
            return this;
        }

        public Builder uncompressedSize(long v) {
            uncompressedSize = v;
            return this;
        }

        public Builder features(int v) {
            features = v;
            return this;
        }

        public Builder prefetchRegion(long offset, long size) {
            prefetchOffset = offset;
            prefetchSize = size;
            return this;
        }

        public Builder meta(BlobMetaLocation v) {
            meta = v;
            return this;
        }

        public Builder chunkTable(ChunkTable v) {
            chunkTable = v;
            return this;
        }

        public BlobInfo build() {
            return new BlobInfo(index, blobId, compressor, digester, chunkSize, chunkCount, compressedSize,
                    uncompressedSize, features, prefetchOffset, prefetchSize, meta, chunkTable);
        }
    }
}
