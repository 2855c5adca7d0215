package dev.jnydus.cache.device;

/**
 * Prefetch settings with upstream's names and defaults ({@code cache.prefetch} in the v2 config,
 * {@code prefetch_config} in blob-cache entries).
 *
 * @param enable whether the cache runs prefetch workers; without them prefetch requests are dropped
 * @param threadsCount number of workers ({@code threads_count}, 1..1024)
 * @param mergingSize largest merged prefetch request in compressed bytes ({@code merging_size});
 *     below 128 KiB it is raised to 128 KiB, as upstream
 * @param bandwidthRate prefetch bytes per second ({@code bandwidth_rate}); 0 means unlimited, and
 *     values below 16 MiB are raised to 16 MiB (upstream: the limiter's burst must hold the largest
 *     chunk)
 * @param prefetchAll whether the whole image should be prefetched ({@code prefetch_all}); the
 *     filesystem layer reads this flag and calls {@link BlobDevice#prefetchAll()}
 */
public record PrefetchOptions(boolean enable, int threadsCount, long mergingSize, long bandwidthRate, boolean prefetchAll) {
    public static final int DEFAULT_THREADS = 8;
    public static final long DEFAULT_MERGING_SIZE = 1 << 20;
    public static final long MIN_MERGING_SIZE = 128 << 10;
    public static final long MIN_BANDWIDTH_RATE = 16L << 20;

    public PrefetchOptions {
        if (enable && (threadsCount < 1 || threadsCount > 1024)) {
            throw new IllegalArgumentException("prefetch threads_count " + threadsCount + " is outside 1..1024");
        }
        if (mergingSize < 0) {
            throw new IllegalArgumentException("prefetch merging_size " + mergingSize + " is negative");
        }
        if (bandwidthRate < 0) {
            throw new IllegalArgumentException("prefetch bandwidth_rate " + bandwidthRate + " is negative");
        }
    }

    public static PrefetchOptions disabled() {
        return new PrefetchOptions(false, 0, DEFAULT_MERGING_SIZE, 0, false);
    }

    public static PrefetchOptions enabled(int threads, long mergingSize, long bandwidthRate, boolean prefetchAll) {
        return new PrefetchOptions(true, threads, mergingSize, bandwidthRate, prefetchAll);
    }

    /** The merging window actually used. */
    public long effectiveMergingSize() {
        return Math.max(mergingSize, MIN_MERGING_SIZE);
    }

    /** The rate actually enforced, 0 for none. */
    public long effectiveBandwidthRate() {
        return bandwidthRate == 0 ? 0 : Math.max(bandwidthRate, MIN_BANDWIDTH_RATE);
    }
}
