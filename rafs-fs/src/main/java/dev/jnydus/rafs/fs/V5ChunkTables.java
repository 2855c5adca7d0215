package dev.jnydus.rafs.fs;

import dev.jnydus.cache.device.ChunkInfo;
import dev.jnydus.cache.device.ChunkTable;
import dev.jnydus.rafs.layout.ChunkRecord;
import dev.jnydus.rafs.metadata.BlobInfo;
import dev.jnydus.rafs.metadata.ChunkRef;
import dev.jnydus.rafs.metadata.FileExtent;
import dev.jnydus.rafs.metadata.RafsFormatException;
import dev.jnydus.rafs.metadata.RafsInode;
import dev.jnydus.rafs.metadata.RafsSuper;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The chunk tables of a RAFS v5 image's blobs, learnt from its bootstrap. A v5 blob has no
 * chunk-info array of its own, so without these the cache could not amplify a read into the
 * chunks that follow it in the blob, nor prefetch a blob range; upstream amplifies v5 reads by
 * walking the bootstrap as well ({@code RafsSuper::amplify_user_io}).
 *
 * <p>Every inode is visited once, when the image is opened, and each chunk index is remembered
 * as where to find it (inode number and chunk ordinal within the file: 12 bytes a chunk instead
 * of a whole chunk record); {@link ChunkTable#get} reads the record from the bootstrap again. A
 * blob gets a table only when every one of its {@code chunk_count} chunks is referenced by some
 * file, as the table must answer for every index.
 */
final class V5ChunkTables {
    private static final Logger LOG = LoggerFactory.getLogger(V5ChunkTables.class);

    private V5ChunkTables() {
    }

    /**
     * Tables by blob index, for the blobs whose chunks the bootstrap names completely.
     *
     * <p>A blob's claimed chunk count is trusted only as far as the bootstrap could back it: each
     * chunk a file names is a record of {@link ChunkRecord#SIZE} (80) bytes, so a bootstrap of S bytes
     * names fewer than S / 80 chunks, and no blob claiming more can be complete (nor can the
     * claims of all blobs together exceed that many for complete tables). Without this bound a
     * corrupt table claiming millions of chunks for thousands of blobs would be allocated here.
     */
    static Map<Integer, ChunkTable> build(RafsSuper sb, CacheBlobs blobs) {
        long t0 = System.nanoTime();
        List<BlobInfo> infos = sb.blobs();
        long[][] inos = new long[infos.size()][];
        int[][] ordinals = new int[infos.size()][];
        long records = sb.bootstrapSize() / ChunkRecord.SIZE;
        long allocated = 0;
        for (BlobInfo b : infos) {
            if (b.chunkCount() > 0 && b.chunkCount() <= records && allocated + b.chunkCount() <= records) {
                inos[b.index()] = new long[b.chunkCount()];
                ordinals[b.index()] = new int[b.chunkCount()];
                allocated += b.chunkCount();
            } else if (b.chunkCount() > 0) {
                LOG.info("blob {}: {} chunks claimed, more than the bootstrap can name; no chunk table, reads will "
                        + "not be amplified", b.blobId(), b.chunkCount());
            }
        }
        long chunkSize = sb.chunkSize();
        try {
            for (long ino = 1; ino <= sb.inodeCount(); ino++) {
                RafsInode inode;
                try {
                    inode = sb.inode(ino);
                } catch (RafsFormatException e) {
                    continue;
                }
                if (!inode.isReg() || inode.size() == 0) {
                    continue;
                }
                for (FileExtent e : inode.extents(0, inode.size())) {
                    if (e instanceof FileExtent.Chunk c) {
                        ChunkRef r = c.chunk();
                        int b = r.blobIndex();
                        if (b < 0 || b >= inos.length || inos[b] == null || r.chunkIndex() < 0
                                || r.chunkIndex() >= inos[b].length || inos[b][r.chunkIndex()] != 0
                                || r.fileOffset() % chunkSize != 0 || r.fileOffset() / chunkSize > Integer.MAX_VALUE) {
                            continue;
                        }
                        inos[b][r.chunkIndex()] = ino;
                        ordinals[b][r.chunkIndex()] = (int) (r.fileOffset() / chunkSize);
                    }
                }
            }
        } catch (RafsFormatException | RuntimeException e) {
            LOG.warn("RAFS v5 chunk tables unavailable ({}); reads will not be amplified", e.toString());
            return Map.of();
        }
        Map<Integer, ChunkTable> out = new HashMap<>();
        for (BlobInfo b : infos) {
            long[] where = inos[b.index()];
            if (where == null) {
                continue;
            }
            long missing = Arrays.stream(where).filter(ino -> ino == 0).count();
            if (missing > 0) {
                LOG.info("blob {}: {} of its {} chunks belong to no file; no chunk table, reads will not be amplified",
                        b.blobId(), missing, where.length);
                continue;
            }
            out.put(b.index(), new Table(sb, blobs, b.index(), chunkSize, where, ordinals[b.index()]));
        }
        LOG.debug("RAFS v5 chunk tables of {} blobs in {} ms", out.size(), (System.nanoTime() - t0) / 1_000_000);
        return out;
    }

    private static final class Table implements ChunkTable {
        private final RafsSuper sb;
        private final CacheBlobs blobs;
        private final int blobIndex;
        private final long chunkSize;
        private final long[] inos;
        private final int[] ordinals;

        Table(RafsSuper sb, CacheBlobs blobs, int blobIndex, long chunkSize, long[] inos, int[] ordinals) {
            this.sb = sb;
            this.blobs = blobs;
            this.blobIndex = blobIndex;
            this.chunkSize = chunkSize;
            this.inos = inos;
            this.ordinals = ordinals;
        }

        @Override
        public int size() {
            return inos.length;
        }

        @Override
        public ChunkInfo get(int index) {
            try {
                RafsInode inode = sb.inode(inos[index]);
                for (FileExtent e : inode.extents(ordinals[index] * chunkSize, 1)) {
                    if (e instanceof FileExtent.Chunk c && c.chunk().blobIndex() == blobIndex
                            && c.chunk().chunkIndex() == index) {
                        return blobs.chunk(c.chunk());
                    }
                }
            } catch (RafsFormatException e) {
                throw new IllegalStateException("blob " + blobIndex + " chunk " + index + ": " + e.getMessage(), e);
            }
            // The bootstrap is read-only and was walked when the table was made.
            throw new IllegalStateException("blob " + blobIndex + " chunk " + index + " is no longer where the "
                    + "bootstrap had it (inode " + inos[index] + ")");
        }
    }
}
