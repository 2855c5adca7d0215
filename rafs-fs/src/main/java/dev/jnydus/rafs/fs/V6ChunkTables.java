package dev.jnydus.rafs.fs;

import dev.jnydus.cache.device.ChunkInfo;
import dev.jnydus.cache.device.ChunkTable;
import dev.jnydus.rafs.metadata.BlobInfo;
import dev.jnydus.rafs.metadata.ChunkRef;
import dev.jnydus.rafs.metadata.RafsFormatException;
import dev.jnydus.rafs.metadata.RafsSuper;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The chunk tables of a RAFS v6 image's blobs, from the bootstrap's own chunk table. Each blob also
 * carries its chunk-info array, but fetching it puts a backend request (a round trip to the
 * registry, and a mount that fails while the registry is down) before the mount; the bootstrap
 * names the same chunks when every chunk of the blob is used by some file of the image, which is
 * the case for a single-layer image. Blobs whose chunks the bootstrap does not all name (a lower
 * layer with deleted files) get no table here, and the cache loads their chunk-info array.
 */
final class V6ChunkTables {
    private static final Logger LOG = LoggerFactory.getLogger(V6ChunkTables.class);

    private V6ChunkTables() {
    }

    /** Tables by blob index, for the blobs whose chunks the bootstrap names completely. */
    static Map<Integer, ChunkTable> build(RafsSuper sb, CacheBlobs blobs) {
        Map<Integer, ChunkTable> out = new HashMap<>();
        for (BlobInfo b : sb.blobs()) {
            try {
                if (b.chunkCount() > 0 && sb.chunkRecords(b.index()) == b.chunkCount()) {
                    out.put(b.index(), new Table(sb, blobs, b.index(), b.chunkCount()));
                }
            } catch (RafsFormatException e) {
                LOG.warn("blob {}: chunk table of the bootstrap unusable ({}); the blob's own is loaded",
                        b.blobId(), e.getMessage());
            }
        }
        return out;
    }

    private static final class Table implements ChunkTable {
        private final RafsSuper sb;
        private final CacheBlobs blobs;
        private final int blobIndex;
        private final int size;

        Table(RafsSuper sb, CacheBlobs blobs, int blobIndex, int size) {
            this.sb = sb;
            this.blobs = blobs;
            this.blobIndex = blobIndex;
            this.size = size;
        }

        @Override
        public int size() {
            return size;
        }

        @Override
        public ChunkInfo get(int index) {
            try {
                ChunkRef r = sb.chunkRecord(blobIndex, index);
                if (r == null) {
                    // build() counted every index of this blob in the (read-only) bootstrap.
                    throw new IllegalStateException("blob " + blobIndex + " has no chunk " + index);
                }
                return blobs.chunk(r);
            } catch (RafsFormatException e) {
                throw new IllegalStateException("blob " + blobIndex + " chunk " + index + ": " + e.getMessage(), e);
            }
        }
    }
}
