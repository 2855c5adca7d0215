package dev.jnydus.cache.device;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A snapshot of upstream's blob-cache metrics ({@code GET /api/v1/metrics/blobcache}, nydus
 * {@code utils/src/metrics.rs} BlobcacheMetrics); {@link #toMap()} gives the JSON field names.
 */
public record BlobcacheMetrics(
        List<String> underlyingFiles,
        String storePath,
        long partialHits,
        long wholeHits,
        long total,
        long entriesCount,
        long prefetchDataAmount,
        long prefetchRequestsCount,
        long prefetchWorkers,
        long prefetchUnmergedChunks,
        long prefetchCumulativeTimeMillis,
        long prefetchBeginTimeSecs,
        long prefetchBeginTimeMillis,
        long prefetchEndTimeSecs,
        long prefetchEndTimeMillis,
        long bufferedBackendSize,
        boolean dataAllReady) {

    public BlobcacheMetrics {
        underlyingFiles = List.copyOf(underlyingFiles);
    }

    /** The document with upstream's field names and order. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("underlying_files", underlyingFiles);
        m.put("store_path", storePath);
        m.put("partial_hits", partialHits);
        m.put("whole_hits", wholeHits);
        m.put("total", total);
        m.put("entries_count", entriesCount);
        m.put("prefetch_data_amount", prefetchDataAmount);
        m.put("prefetch_requests_count", prefetchRequestsCount);
        m.put("prefetch_workers", prefetchWorkers);
        m.put("prefetch_unmerged_chunks", prefetchUnmergedChunks);
        m.put("prefetch_cumulative_time_millis", prefetchCumulativeTimeMillis);
        m.put("prefetch_begin_time_secs", prefetchBeginTimeSecs);
        m.put("prefetch_begin_time_millis", prefetchBeginTimeMillis);
        m.put("prefetch_end_time_secs", prefetchEndTimeSecs);
        m.put("prefetch_end_time_millis", prefetchEndTimeMillis);
        m.put("buffered_backend_size", bufferedBackendSize);
        m.put("data_all_ready", dataAllReady);
        return m;
    }
}
