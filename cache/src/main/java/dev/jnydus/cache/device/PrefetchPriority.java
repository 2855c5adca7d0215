package dev.jnydus.cache.device;

/**
 * Which lane of the prefetch workers a request takes. Both lanes start new requests only while no
 * on-demand read is fetching; {@link #LOW} requests run only when no {@link #NORMAL} one is
 * queued, and one at a time, so bulk data (the tail of a large listed file) trickles in behind
 * what a workload is likely to need next instead of filling the link with it.
 */
public enum PrefetchPriority {
    NORMAL,
    LOW
}
