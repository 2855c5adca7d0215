package dev.jnydus.config;

/**
 * Prefetch workers, either filesystem-level ({@code rafs.prefetch}) or blob-level
 * ({@code cache.prefetch}); spec 2.2/2.3.
 *
 * @param threads worker threads; must be 1..=1024 when enabled
 * @param batchSize largest merged backend request in bytes; at most 0x10000000 when enabled
 * @param bandwidthLimit bytes per second, 0 = unlimited
 * @param prefetchAll prefetch the whole image after the hinted files
 * @param streamPrefetch whole-blob streaming through a Dragonfly proxy (spec 7.5)
 */
public record PrefetchConfig(boolean enable, long threads, long batchSize, long bandwidthLimit,
                             boolean prefetchAll, boolean streamPrefetch) {
    public static final long DEFAULT_THREADS = 8;
    public static final long DEFAULT_BATCH_SIZE = 1024 * 1024;

    /**
     * What upstream holds when the prefetch object is absent from a v2 document: Rust's derived
     * {@code Default}, all zero. It differs from the defaults of a present-but-sparse object
     * ({@code threads} 8, {@code batch_size} 1 MiB); only echoes of the config can tell.
     */
    public static final PrefetchConfig ABSENT = new PrefetchConfig(false, 0, 0, 0, false, false);
}
