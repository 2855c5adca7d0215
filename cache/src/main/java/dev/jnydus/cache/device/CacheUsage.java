package dev.jnydus.cache.device;

import java.util.List;

/**
 * Space used by the cache.
 *
 * @param totalBytes bytes of chunk data held, over all blobs
 * @param limitBytes the configured limit, 0 for none
 * @param blobs per blob, largest first
 */
public record CacheUsage(long totalBytes, long limitBytes, List<BlobUsage> blobs) {
    public CacheUsage {
        blobs = List.copyOf(blobs);
    }

    /**
     * @param blobId the blob
     * @param bytes chunk data held (exact for blobs in use; estimated from the chunk map for others)
     * @param inUse whether an open device uses it (such blobs are never evicted)
     */
    public record BlobUsage(String blobId, long bytes, boolean inUse) {
    }
}
