package dev.jnydus.cache.device;

import dev.jnydus.common.FsException;
import java.time.Duration;

/**
 * One blob cached in an {@link ExternalCacheFile}, made by {@link CacheManager#openExternal}: the
 * fscache layer's door to chunk data. The cache fetches, merges ({@code amplify_io}), decompresses,
 * validates and writes chunks at their uncompressed offsets; nothing is delivered to the caller,
 * whose readers then find the data in the file. Thread-safe; concurrent fills of the same missing
 * chunk share one backend request.
 */
public interface ExternalBlobCache extends AutoCloseable {

    /** The blob, with its chunk table. */
    BlobInfo blob();

    /**
     * Makes every chunk that overlaps {@code [offset, offset + length)} of the uncompressed blob
     * present in the file, fetching the missing ones (with the chunks that follow them, up to
     * {@code amplify_io}). Returns the number of chunks that were missing.
     *
     * @throws FsException EIO when a chunk cannot be fetched, decompressed, validated or written;
     *     EBADF after {@link #close()}
     */
    int fill(long offset, long length) throws FsException;

    /** Queues prefetch of the whole blob (in {@code merging_size} requests); 0 when prefetch is off. */
    int prefetchAll();

    /** Number of chunks present in the file. */
    int readyChunks();

    /** Whether every chunk of the blob is present. */
    boolean isAllDataReady();

    /** Waits until no prefetch request of this blob is queued or running; false on timeout. */
    boolean awaitPrefetch(Duration timeout) throws InterruptedException;

    /** Stops this blob's prefetch and releases it. Idempotent; the file itself is the caller's. */
    @Override
    void close();
}
