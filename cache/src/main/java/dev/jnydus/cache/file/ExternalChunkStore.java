package dev.jnydus.cache.file;

import dev.jnydus.cache.device.BlobInfo;
import dev.jnydus.cache.device.ChunkInfo;
import dev.jnydus.cache.device.ChunkTable;
import dev.jnydus.cache.device.ExternalCacheFile;
import dev.jnydus.cache.state.ChunkMap;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;

/** An {@link ExternalCacheFile} as a chunk store: uncompressed chunks, written only. */
final class ExternalChunkStore implements ChunkStore {
    private final ExternalCacheFile file;
    private final long size;

    ExternalChunkStore(ExternalCacheFile file, long size) {
        this.file = file;
        this.size = size;
    }

    @Override
    public Path path() {
        return Path.of(file.name());
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public boolean readable() {
        return false;
    }

    @Override
    public void readSlice(ChunkInfo c, int offset, ByteBuffer dst) throws IOException {
        throw new IOException("cache file " + file.name() + " is write-only");
    }

    @Override
    public byte[] readStored(ChunkInfo c) throws IOException {
        throw new IOException("cache file " + file.name() + " is write-only");
    }

    @Override
    public boolean storesCompressed() {
        return false;
    }

    @Override
    public void write(ChunkInfo c, byte[] uncompressed, byte[] stored, int off) throws IOException {
        file.write(c.uncompressedOffset(), ByteBuffer.wrap(uncompressed));
    }

    /**
     * Nothing to do: the anonymous fd has no fsync, and readiness is rebuilt from the data the file
     * holds rather than kept beside it, so no order of writes needs keeping.
     */
    @Override
    public void sync() {
    }

    @Override
    public long footprint(ChunkInfo c) {
        return c.uncompressedSize();
    }

    @Override
    public long end(ChunkInfo c) {
        return c.uncompressedEnd();
    }

    /**
     * The blob's readiness as the file holds it: a chunk counts as present when it lies wholly
     * inside data (chunks are written whole, so a torn write leaves a hole).
     */
    ChunkMap readiness(BlobInfo info) throws IOException {
        ChunkTable table = info.chunkTable();
        if (table == null || info.chunkCount() <= 0) {
            throw new IOException("blob " + info.blobId() + " has no chunk table; it cannot be cached by offset");
        }
        ChunkMap map = ChunkMap.rebuilt(info.chunkCount());
        long[] extents = dataExtents();
        for (int i = 0; i < table.size(); i++) {
            if (inData(table.get(i), extents)) {
                map.markReady(i);
            }
        }
        return map;
    }

    /** Whether {@code c} lies wholly inside data, with {@code extents} sorted [start, end) pairs. */
    static boolean inData(ChunkInfo c, long[] extents) {
        int lo = 0;
        int hi = extents.length / 2 - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (extents[2 * mid] <= c.uncompressedOffset()) {
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        // hi: the last extent starting at or before the chunk
        return hi >= 0 && extents[2 * hi + 1] >= c.uncompressedEnd();
    }

    /** Walks the file's data extents: sorted [start, end) pairs, flattened. */
    long[] dataExtents() throws IOException {
        long[] out = new long[16];
        int n = 0;
        long pos = 0;
        while (pos < size) {
            long data = file.nextData(pos);
            if (data < 0 || data >= size) {
                break;
            }
            long hole = file.nextHole(data);
            if (hole < 0) {
                hole = size;
            }
            if (n + 2 > out.length) {
                out = Arrays.copyOf(out, out.length * 2);
            }
            out[n++] = data;
            out[n++] = hole;
            if (hole <= data) {
                break;
            }
            pos = hole;
        }
        return Arrays.copyOf(out, n);
    }

    @Override
    public void close() {
        // The file belongs to the caller.
    }
}
