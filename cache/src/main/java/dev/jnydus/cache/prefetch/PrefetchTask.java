package dev.jnydus.cache.prefetch;

import dev.jnydus.cache.device.PrefetchPriority;
import java.io.IOException;

/** One merged prefetch request, run by a prefetch worker. */
public interface PrefetchTask {
    /** The group (device) the task belongs to; cancelling it drops the task. */
    PrefetchGroup group();

    /** Bytes the request will move over the network, charged to the bandwidth limiter. */
    long networkBytes();

    /** The lane the task is queued in. */
    default PrefetchPriority priority() {
        return PrefetchPriority.NORMAL;
    }

    /** Fetches and stores the data; returns the bytes actually fetched (0 if all was cached). */
    long run() throws IOException;
}
