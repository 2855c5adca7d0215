package dev.jnydus.backend;

/**
 * Why a read is made. On-demand reads have a reader waiting and get the larger retry budget and a
 * high Dragonfly priority; prefetch reads are speculative and give up sooner.
 */
public enum RequestSource {
    ON_DEMAND,
    PREFETCH
}
