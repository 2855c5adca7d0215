package dev.jnydus.fscache.fanotify;

import dev.jnydus.cache.device.ChunkInfo;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The chunks of one blob ordered by where their uncompressed bytes lie in the blob's cache file
 * (spec 9.1: EROFS device k reads byte {@code uncompressed_offset + x} of its file for byte x of a
 * chunk), so that the chunks an event's byte range touches are found by binary search. A chunk
 * named twice (deduplicated) is kept once; chunks whose uncompressed ranges overlap are refused,
 * since a range could then not say whose bytes it holds.
 */
final class DeviceChunks {
    private final ChunkInfo[] chunks;
    private final long[] starts;

    DeviceChunks(String blobId, List<ChunkInfo> list) {
        Map<Integer, ChunkInfo> byIndex = new HashMap<>();
        for (ChunkInfo c : list) {
            byIndex.putIfAbsent(c.index(), c);
        }
        List<ChunkInfo> sorted = new ArrayList<>(byIndex.values());
        sorted.sort(Comparator.comparingLong(ChunkInfo::uncompressedOffset).thenComparingInt(ChunkInfo::index));
        this.chunks = sorted.toArray(new ChunkInfo[0]);
        this.starts = new long[chunks.length];
        for (int i = 0; i < chunks.length; i++) {
            starts[i] = chunks[i].uncompressedOffset();
            if (i > 0 && chunks[i - 1].uncompressedEnd() > starts[i]) {
                throw new IllegalArgumentException("blob " + blobId + ": chunks " + chunks[i - 1].index() + " and "
                        + chunks[i].index() + " overlap in the uncompressed blob (" + chunks[i - 1].uncompressedOffset()
                        + "+" + chunks[i - 1].uncompressedSize() + " and " + starts[i] + ")");
            }
        }
    }

    int size() {
        return chunks.length;
    }

    ChunkInfo get(int i) {
        return chunks[i];
    }

    /** The chunks whose uncompressed bytes intersect {@code [start, end)}, in file order. */
    List<ChunkInfo> overlapping(long start, long end) {
        List<ChunkInfo> out = new ArrayList<>(2);
        if (start >= end) {
            return out;
        }
        // The last chunk starting at or before start may reach into the range; then forward.
        int i = lastStartingAtOrBefore(start);
        if (i < 0 || chunks[i].uncompressedEnd() <= start) {
            i++;
        }
        for (; i < chunks.length && starts[i] < end; i++) {
            out.add(chunks[i]);
        }
        return out;
    }

    private int lastStartingAtOrBefore(long pos) {
        int lo = 0;
        int hi = chunks.length - 1;
        int found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (starts[mid] <= pos) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return found;
    }
}
