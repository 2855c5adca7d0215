package dev.jnydus.rafs.v6;

import dev.jnydus.rafs.layout.ChunkRecord;
import dev.jnydus.rafs.layout.MetaBuffer;
import dev.jnydus.rafs.metadata.ChunkRef;
import dev.jnydus.rafs.metadata.RafsFormatException;
import java.util.Arrays;

/**
 * The RAFS v6 chunk info table (80-byte records sorted by digest). Chunk indexes in inodes name a
 * chunk by (blob index, ci index, block address); this class finds the record for that key.
 *
 * <p>The index is built on first use, not at open, so that opening stays cheap: one sorted
 * {@code long[]} of packed keys (blob index 8 bits | ci index 24 bits | block address 32 bits) and
 * the record number beside it, 12 bytes per chunk instead of a boxed hash map.
 */
final class ChunkTable {
    private static final int RECORD = ChunkRecord.SIZE;

    private final MetaBuffer meta;
    private final long offset;
    private final int count;
    private final int blockBits;
    private volatile long[] keys;
    private volatile int[] records;
    private long[] indexKeys;
    private int[] indexRecords;

    ChunkTable(MetaBuffer meta, long offset, long size, int blockBits) throws RafsFormatException {
        if (size % RECORD != 0) {
            throw new RafsFormatException("invalid s_chunk_table_size " + size + ": not a multiple of 80");
        }
        if (size > 0) {
            meta.check(offset, size, "chunk table (s_chunk_table_offset " + offset + ", s_chunk_table_size " + size + ")");
        }
        if (size / RECORD > Integer.MAX_VALUE) {
            throw new RafsFormatException("invalid s_chunk_table_size " + size);
        }
        this.meta = meta;
        this.offset = offset;
        this.count = (int) (size / RECORD);
        this.blockBits = blockBits;
    }

    static long key(int blobIndex, int ciIndex, long blkaddr) {
        return ((long) (blobIndex & 0xFF) << 56) | ((long) (ciIndex & 0xFFFFFF) << 32) | (blkaddr & 0xFFFFFFFFL);
    }

    private void build() throws RafsFormatException {
        long[] k = new long[count];
        for (int i = 0; i < count; i++) {
            long rec = offset + (long) i * RECORD;
            int blob = meta.i32(rec + 32, "chunk table blob_index");
            int ci = meta.i32(rec + 72, "chunk table index");
            long uncompOff = meta.u64(rec + 56, "chunk table uncompressed_offset");
            k[i] = key(blob, ci, uncompOff >>> blockBits);
        }
        Integer[] order = new Integer[count];
        for (int i = 0; i < count; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Long.compareUnsigned(k[a], k[b]));
        long[] sortedKeys = new long[count];
        int[] recs = new int[count];
        for (int i = 0; i < count; i++) {
            sortedKeys[i] = k[order[i]];
            recs[i] = order[i];
        }
        // A second order, by (blob index, chunk index) alone: what a cache asks when it walks a
        // blob's chunks in storage order rather than a file's.
        long[] ik = new long[count];
        for (int i = 0; i < count; i++) {
            // Sign bit flipped so that the signed sort orders blob indexes of 128 and more last.
            ik[i] = ((k[i] >>> 32) << 32 | i) ^ Long.MIN_VALUE;
        }
        Arrays.sort(ik);
        long[] byIndex = new long[count];
        int[] byIndexRecs = new int[count];
        for (int i = 0; i < count; i++) {
            long v = ik[i] ^ Long.MIN_VALUE;
            byIndex[i] = v >>> 32;
            byIndexRecs[i] = (int) (v & 0xFFFF_FFFFL);
        }
        this.indexKeys = byIndex;
        this.indexRecords = byIndexRecs;
        this.records = recs;
        this.keys = sortedKeys;
    }

    private void ensureBuilt() throws RafsFormatException {
        if (keys == null) {
            synchronized (this) {
                if (keys == null) {
                    build();
                }
            }
        }
    }

    /** The record of chunk {@code ciIndex} of blob {@code blobIndex}, or {@code null}. */
    ChunkRef findByIndex(int blobIndex, int ciIndex) throws RafsFormatException {
        ensureBuilt();
        long want = (key(blobIndex, ciIndex, 0) >>> 32);
        int at = Arrays.binarySearch(indexKeys, want);
        return at < 0 ? null : record(indexRecords[at]);
    }

    /** How many distinct chunk indexes of a blob the table names. */
    int distinctChunks(int blobIndex) throws RafsFormatException {
        ensureBuilt();
        long lo = key(blobIndex, 0, 0) >>> 32;
        long hi = key(blobIndex, 0xFFFFFF, 0) >>> 32;
        int n = 0;
        long prev = -1;
        int from = Arrays.binarySearch(indexKeys, lo);
        for (int i = from < 0 ? -from - 1 : from; i < indexKeys.length && indexKeys[i] <= hi; i++) {
            if (indexKeys[i] != prev) {
                n++;
                prev = indexKeys[i];
            }
        }
        return n;
    }

    /** The record for a chunk index entry, or {@code null} when the table has none. */
    ChunkRef find(int blobIndex, int ciIndex, long blkaddr) throws RafsFormatException {
        ensureBuilt();
        long want = key(blobIndex, ciIndex, blkaddr);
        long[] k = keys;
        int lo = 0;
        int hi = k.length - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int c = Long.compareUnsigned(k[mid], want);
            if (c == 0) {
                return record(records[mid]);
            }
            if (c < 0) {
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return null;
    }

    ChunkRef record(int i) throws RafsFormatException {
        return ChunkRecord.read(meta, offset + (long) i * RECORD, "chunk table");
    }
}
