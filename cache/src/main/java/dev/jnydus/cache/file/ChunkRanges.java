package dev.jnydus.cache.file;

import dev.jnydus.cache.device.ChunkInfo;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Merging chunks into backend requests.
 *
 * <p>Chunks are sorted by compressed offset and cut into groups, each read with one request of
 * the group's compressed span. A group grows while the next chunk starts at most {@code maxGap}
 * bytes after the group's end (upstream allows a gap of {@code window / 128}, whose bytes are
 * fetched and dropped) and the span stays within {@code window}; the first chunk always fits, so
 * a chunk larger than the window is one request of its own. A window of 0 makes every chunk its
 * own request.
 */
final class ChunkRanges {
    static final int GAP_SHIFT = 7;

    private ChunkRanges() {
    }

    static List<List<ChunkInfo>> merge(List<ChunkInfo> chunks, long window) {
        List<ChunkInfo> sorted = new ArrayList<>(chunks);
        sorted.sort(Comparator.comparingLong(ChunkInfo::compressedOffset).thenComparingInt(ChunkInfo::index));
        // Sorted, a chunk may start inside the group (chunks sharing stored bytes): it joins too.
        return cut(sorted, window, true);
    }

    /**
     * As {@link #merge}, keeping the caller's order: a chunk joins the group before it only when it
     * follows that group's end in the blob (within the gap and the window), so the groups come out
     * in the order their first chunks were given. For prefetch in the order of a list (the order
     * in which a workload reads): a list laid out in that order in the blob, or chunks given in
     * blob order, still merge as {@link #merge} merges them.
     */
    static List<List<ChunkInfo>> mergeInOrder(List<ChunkInfo> chunks, long window) {
        return cut(chunks, window, false);
    }

    /** Cuts chunks, in the order given, into groups; {@code overlapJoins}: a chunk starting before the group's end joins. */
    private static List<List<ChunkInfo>> cut(List<ChunkInfo> chunks, long window, boolean overlapJoins) {
        long maxGap = window >> GAP_SHIFT;
        List<List<ChunkInfo>> out = new ArrayList<>();
        List<ChunkInfo> cur = null;
        long start = 0;
        long end = 0;
        for (ChunkInfo c : chunks) {
            boolean joins = cur != null && window > 0
                    && (overlapJoins || c.compressedOffset() >= end)
                    && c.compressedOffset() - end <= maxGap
                    && Math.max(end, c.compressedEnd()) - start <= window;
            if (!joins) {
                cur = new ArrayList<>();
                out.add(cur);
                start = c.compressedOffset();
                end = c.compressedEnd();
            }
            cur.add(c);
            end = Math.max(end, c.compressedEnd());
        }
        return out;
    }

    static long start(List<ChunkInfo> group) {
        long s = Long.MAX_VALUE;
        for (ChunkInfo c : group) {
            s = Math.min(s, c.compressedOffset());
        }
        return s;
    }

    static long end(List<ChunkInfo> group) {
        long e = 0;
        for (ChunkInfo c : group) {
            e = Math.max(e, c.compressedEnd());
        }
        return e;
    }
}
