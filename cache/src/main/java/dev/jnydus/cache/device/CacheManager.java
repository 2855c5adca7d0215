package dev.jnydus.cache.device;

import java.io.IOException;
import java.util.List;

/**
 * A cache over one backend and one {@code work_dir}: opens devices, shares cache entries between
 * devices that use the same blob, runs the prefetch workers, enforces the space limit and keeps
 * the blob-cache metrics. Made by {@link CacheFactory}.
 */
public interface CacheManager extends AutoCloseable {

    CacheOptions options();

    /**
     * Opens a device over {@code blobs} (indices must be distinct). Cache files are created or
     * reopened, and chunk maps repaired where they promise more than the data files hold. Not for
     * cache type {@code fscache} (see {@link #openExternal}).
     */
    BlobDevice open(List<BlobInfo> blobs) throws IOException;

    /**
     * Opens one blob over a cache file the caller owns (fscache's anonymous fd); cache type
     * {@code fscache} only. The blob's chunk table is loaded from its {@code .blob.meta} in
     * {@code work_dir} (fetched when missing) unless the caller attached one.
     *
     * @throws IOException when the chunk table cannot be had or the file's extents cannot be read
     */
    ExternalBlobCache openExternal(BlobInfo blob, ExternalCacheFile file) throws IOException;

    /** Bytes cached per blob and in total, with the limit; for the API. */
    CacheUsage usage();

    /** Upstream's blob-cache metrics document. */
    BlobcacheMetrics metrics();

    /**
     * Evicts whole blobs that no open device uses, least recently used first, until usage is
     * within the limit. Returns the number of blobs evicted. Runs by itself when the limit is
     * exceeded; callable by an API.
     */
    int evictUnused();

    /** Deletes the cache files of one blob if no open device uses it; returns whether it did. */
    boolean remove(String blobId);

    /** Stops prefetch workers and closes every cache file. Devices still open fail their reads with EBADF. */
    @Override
    void close();
}
