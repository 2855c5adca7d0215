package dev.jnydus.cache.device;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Every chunk of one blob by chunk index. The cache uses it to amplify reads (fetch the chunks
 * that follow a miss in the same request) and to prefetch whole blobs or blob ranges. A table
 * comes from the blob's chunk-info array ({@code .blob.meta}, see {@code cache.meta}) or from the
 * filesystem layer (the bootstrap's chunk table for RAFS v5).
 */
public interface ChunkTable {
    /** Number of chunks, equal to the blob's chunk count. */
    int size();

    /** The chunk at {@code index}, {@code 0 <= index < size()}. */
    ChunkInfo get(int index);

    /** A table over a list ordered by chunk index (index {@code i} at position {@code i}). */
    static ChunkTable of(List<ChunkInfo> chunks) {
        List<ChunkInfo> sorted = new ArrayList<>(chunks);
        sorted.sort(Comparator.comparingInt(ChunkInfo::index));
        for (int i = 0; i < sorted.size(); i++) {
            if (sorted.get(i).index() != i) {
                throw new IllegalArgumentException("chunk table has no chunk " + i + " (found index "
                        + sorted.get(i).index() + " at position " + i + ")");
            }
        }
        List<ChunkInfo> copy = List.copyOf(sorted);
        return new ChunkTable() {
            @Override
            public int size() {
                return copy.size();
            }

            @Override
            public ChunkInfo get(int index) {
                return copy.get(index);
            }
        };
    }
}
