package dev.jnydus.cache.file;

import dev.jnydus.cache.device.BlobInfo;
import dev.jnydus.cache.device.ChunkInfo;
import dev.jnydus.common.ChunkFlags;
import dev.jnydus.common.Errno;
import dev.jnydus.common.FsException;
import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * How the cache tells the chunks of one blob apart, following the image: every table the cache
 * keeps for a blob (chunk map, chunks being fetched, the memory cache) is keyed by the
 * {@link ChunkInfo#index()} of the chunk this class returns.
 *
 * <ul>
 *   <li>When the blob table gives the blob's chunk count, the chunk's index is its identity, as
 *       upstream's {@code IndexedChunkMap} has it, and an index outside the count is a corrupt
 *       record.</li>
 *   <li>When it does not (RAFS v5 written before nydus 2.0: no extended blob table, and every
 *       chunk record's index field 0), the index means nothing. Upstream keys such blobs by chunk
 *       digest ({@code DigestedChunkMap}); so do we, giving each distinct digest a number of its
 *       own the first time it is seen. A chunk without a digest (plain EROFS) is known by where
 *       it is stored. Such numbers live as long as this object; they are never persisted.</li>
 * </ul>
 *
 * <p>Either way a record that cannot belong to the blob (an offset or size outside the blob, a
 * raw chunk whose stored and uncompressed sizes differ, a chunk larger than any builder writes)
 * is refused with EIO before the cache claims, fetches or allocates anything for it.
 */
abstract class ChunkIdentity {
    /** The largest chunk upstream's builders write (RAFS_MAX_CHUNK_SIZE, 16 MiB). */
    static final int MAX_CHUNK_SIZE = 16 << 20;
    private static final Object IMAGE_INDEXES = "image chunk indexes";

    final BlobInfo info;

    private ChunkIdentity(BlobInfo info) {
        this.info = info;
    }

    static ChunkIdentity of(BlobInfo info) {
        return info.chunkCount() > 0 ? new ByIndex(info) : new ByContent(info);
    }

    /** Whether chunk numbers are the image's own (and so may be persisted in a chunk map). */
    abstract boolean isIndexed();

    /**
     * What the numbers are relative to, for keys that outlive this object (the memory cache):
     * one shared value for image indexes, this object for numbers it gave out.
     */
    abstract Object numbering();

    /**
     * The chunk as the cache keys it: {@code c} itself when the image numbers its chunks, else a
     * copy carrying the number this blob gave it.
     *
     * @throws FsException EIO when the record cannot describe a chunk of this blob
     */
    final ChunkInfo canonical(ChunkInfo c) throws FsException {
        check(c);
        return key(c);
    }

    abstract ChunkInfo key(ChunkInfo c) throws FsException;

    private void check(ChunkInfo c) throws FsException {
        String why = sizeProblem(c);
        long stored = info.compressedSize();
        long uncompressed = info.uncompressedSize();
        if (why != null) {
            throw corrupt(c, why);
        } else if (c.compressedEnd() < 0 || c.uncompressedEnd() < 0) {
            throw corrupt(c, "offsets overflow");
        } else if (stored > 0 && c.compressedEnd() > stored) {
            throw corrupt(c, "stored bytes end at " + c.compressedEnd() + ", past the blob's " + stored);
        } else if (uncompressed > 0 && c.uncompressedEnd() > uncompressed) {
            throw corrupt(c, "uncompressed bytes end at " + c.uncompressedEnd() + ", past the blob's " + uncompressed);
        }
    }

    /**
     * What is wrong with the chunk's sizes, or null. Batch and encrypted chunks store other sizes
     * than their own; the fetcher refuses them (EOPNOTSUPP), so their sizes are not judged here.
     */
    private static String sizeProblem(ChunkInfo c) {
        if ((c.flags() & (ChunkFlags.BATCH | ChunkFlags.ENCRYPTED)) != 0) {
            return null;
        }
        if (!c.compressed()) {
            return c.compressedSize() == c.uncompressedSize() ? null
                    : "stored raw with " + c.compressedSize() + " bytes for " + c.uncompressedSize();
        }
        if (c.uncompressedSize() > MAX_CHUNK_SIZE) {
            return "uncompressed size " + c.uncompressedSize() + " exceeds " + MAX_CHUNK_SIZE;
        }
        // No builder stores a compressed form much larger than the data: it stores the data raw.
        if (c.compressedSize() == 0 || c.compressedSize() > c.uncompressedSize() + (c.uncompressedSize() >> 1) + 4096) {
            return "compressed size " + c.compressedSize() + " for " + c.uncompressedSize() + " bytes";
        }
        return null;
    }

    final FsException corrupt(ChunkInfo c, String why) {
        return new FsException(Errno.EIO, "blob " + info.blobId() + ": corrupt chunk record (" + why + "): " + c);
    }

    private static final class ByIndex extends ChunkIdentity {
        ByIndex(BlobInfo info) {
            super(info);
        }

        @Override
        boolean isIndexed() {
            return true;
        }

        @Override
        Object numbering() {
            return IMAGE_INDEXES;
        }

        @Override
        ChunkInfo key(ChunkInfo c) throws FsException {
            if (c.index() >= info.chunkCount()) {
                throw corrupt(c, "index " + c.index() + " outside the blob's " + info.chunkCount() + " chunks");
            }
            return c;
        }
    }

    /** Chunks numbered by digest, or by location when they have none. */
    private static final class ByContent extends ChunkIdentity {
        private final ConcurrentHashMap<Object, Integer> numbers = new ConcurrentHashMap<>();
        private final AtomicInteger next = new AtomicInteger();

        ByContent(BlobInfo info) {
            super(info);
        }

        @Override
        boolean isIndexed() {
            return false;
        }

        @Override
        Object numbering() {
            return this;
        }

        @Override
        ChunkInfo key(ChunkInfo c) throws FsException {
            Object k = c.digest() != null ? new Digest(c.digest())
                    : new Location(c.compressedOffset(), c.compressedSize(), c.uncompressedOffset(), c.uncompressedSize());
            Integer n = numbers.get(k);
            if (n == null) {
                n = numbers.computeIfAbsent(k, x -> next.getAndIncrement());
            }
            if (n < 0) {
                throw corrupt(c, "more distinct chunks than a blob can number");
            }
            return n == c.index() ? c : new ChunkInfo(c.blobIndex(), n, c.compressedOffset(), c.compressedSize(),
                    c.uncompressedOffset(), c.uncompressedSize(), c.flags(), c.digest(), c.crc32());
        }
    }

    private record Digest(byte[] bytes) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Digest d && Arrays.equals(d.bytes, bytes);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(bytes);
        }
    }

    private record Location(long compressedOffset, int compressedSize, long uncompressedOffset, int uncompressedSize) {
    }
}
