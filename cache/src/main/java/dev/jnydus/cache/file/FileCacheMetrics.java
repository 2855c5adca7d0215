package dev.jnydus.cache.file;

import java.util.concurrent.atomic.LongAdder;

/** The hit counters of upstream's blob-cache metrics. */
final class FileCacheMetrics {
    final LongAdder partialHits = new LongAdder();
    final LongAdder wholeHits = new LongAdder();
    final LongAdder total = new LongAdder();
    final LongAdder entriesCount = new LongAdder();
    final LongAdder bufferedBackendSize = new LongAdder();
    /** Bytes read back from cache files (not in upstream's metrics; tells slices from whole chunks). */
    final LongAdder cacheFileReadBytes = new LongAdder();
}
