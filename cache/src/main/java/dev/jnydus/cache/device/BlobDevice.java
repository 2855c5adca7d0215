package dev.jnydus.cache.device;

import dev.jnydus.common.FsException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * The blobs of one image behind a cache: the filesystem layer's only door to chunk data. Made by
 * {@link CacheManager#open}. Thread-safe; reads run on the caller's thread.
 *
 * <p>Reads: cached chunks come from the cache file (or memory); missing ones are fetched from the
 * backend, merged with neighbouring missing chunks of the same blob up to {@code amplify_io}
 * compressed bytes per request, verified when validation applies, handed to the reader and
 * stored. Concurrent readers of the same missing chunk share one backend request.
 *
 * <p>Prefetch: requests are merged ({@code merging_size}), queued and run by prefetch workers
 * under the bandwidth limit; no new prefetch request starts while a read is fetching, and all of
 * them stop when the device closes.
 */
public interface BlobDevice extends AutoCloseable {

    /** The blobs, by {@link BlobInfo#index()}. */
    List<BlobInfo> blobs();

    /**
     * Reads the bytes of {@code io} into {@code sink}, in order. Returns the number of bytes
     * delivered, always {@code io.size()}.
     *
     * @throws FsException EIO when a chunk cannot be fetched, does not decompress to its size, or
     *     fails validation twice (such data is never delivered); EBADF after {@link #close()};
     *     EINVAL for a slice naming a blob the device does not have
     */
    long read(BlobIoVec io, ChunkSink sink) throws FsException;

    /** Reads {@code io} into {@code dst} from its position, advancing it. */
    default int read(BlobIoVec io, ByteBuffer dst) throws FsException {
        if (io.size() > dst.remaining()) {
            throw new IllegalArgumentException("request of " + io.size() + " bytes, buffer has " + dst.remaining());
        }
        return (int) read(io, ChunkSink.of(dst));
    }

    /**
     * Queues file-level prefetch of {@code chunks} (any blobs, any order, duplicates allowed).
     * Chunks already cached are skipped. Returns the number of merged requests queued: 0 when
     * prefetch is disabled, the cache is a dummycache, or everything is cached.
     */
    int prefetch(Collection<ChunkInfo> chunks);

    /**
     * As {@link #prefetch(Collection)}, in the given lane: {@link PrefetchPriority#LOW} requests
     * run after every queued normal one, one at a time (bulk data such as the tail of a large
     * listed file). Without lanes, the same as {@link #prefetch(Collection)}.
     */
    default int prefetch(Collection<ChunkInfo> chunks, PrefetchPriority priority) {
        return prefetch(chunks);
    }

    /**
     * Queues blob-level prefetch of the chunks whose stored bytes intersect
     * {@code [offset, offset + length)} of blob {@code blobIndex} (the v6 blob prefetch region).
     * Needs the blob's chunk table; returns 0 without one.
     */
    int prefetchBlobRange(int blobIndex, long offset, long length);

    /** Queues prefetch of every chunk of every blob that has a chunk table ({@code prefetch_all}). */
    int prefetchAll();

    /** Whether the chunk is in the local cache. */
    boolean isReady(ChunkInfo chunk);

    /**
     * Whether the chunk's bytes are in its cache file and may be read from there by someone who
     * checks nothing (the kernel, reading {@link #uncompressedDataFile} directly): ready, and not
     * one of the chunks an unclean stop left to be validated before use. A {@link #read} of a
     * chunk that is ready but not this validates it (or fetches it again), after which it is.
     */
    default boolean isReadyForDirectRead(ChunkInfo chunk) {
        return isReady(chunk);
    }

    /**
     * The cache file that holds blob {@code blobIndex} uncompressed, each chunk at its uncompressed
     * offset and unfetched ranges as holes ({@code <work_dir>/<blob_id>.blob.data}), for a kernel
     * that reads it directly: EROFS over fanotify pre-content events. A chunk's bytes are in the
     * file once {@link #isReady} says so. Empty for a dummycache, a compressed cache or an unknown
     * index. The file is the cache's: callers must not truncate it, and writes must only ever put
     * a chunk's own uncompressed bytes at its offset.
     */
    default Optional<Path> uncompressedDataFile(int blobIndex) {
        return Optional.empty();
    }

    /** Whether every chunk of every blob is cached. */
    boolean isAllDataReady();

    /** Waits until this device has no prefetch request queued or running; false on timeout. */
    boolean awaitPrefetch(Duration timeout) throws InterruptedException;

    /**
     * Stops this device's prefetch (queued requests are dropped, running ones end after their
     * current backend request, which this call waits for) and releases its blobs. Idempotent.
     */
    @Override
    void close();
}
