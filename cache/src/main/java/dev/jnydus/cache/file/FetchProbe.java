package dev.jnydus.cache.file;

import dev.jnydus.cache.device.ChunkInfo;
import java.util.List;

/**
 * Where a fetch is, for tests that inject faults at each step: the probe is called on the fetching
 * thread as each step begins and may throw anything or interrupt the thread. The daemon runs with
 * {@link #NONE}.
 */
interface FetchProbe {
    FetchProbe NONE = (step, chunks) -> { };

    /** The steps of a fetch, in order. */
    enum Step {
        /** Before the backend request of a group of chunks. */
        REQUEST,
        /** Decoding one chunk of the fetched bytes. */
        DECODE,
        /** Validating one decoded chunk (only when validation applies). */
        VALIDATE,
        /** Writing one chunk into the cache file. */
        STORE
    }

    void reached(Step step, List<ChunkInfo> chunks);
}
