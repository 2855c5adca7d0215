package dev.jnydus.cache.file;

import com.github.benmanes.caffeine.cache.Cache;
import dev.jnydus.cache.device.ChunkInfo;

/**
 * One blob's view of the manager's in-memory chunk cache (shared by all blobs, bounded by bytes),
 * keyed as {@link ChunkIdentity} numbers the blob's chunks. Holds only data that was validated
 * where validation applies; empty when the memory cache is off.
 */
final class MemoryChunks {
    private final Cache<ChunkKey, byte[]> cache;
    private final String blobId;
    private final Object numbering;

    MemoryChunks(Cache<ChunkKey, byte[]> cache, String blobId, Object numbering) {
        this.cache = cache;
        this.blobId = blobId;
        this.numbering = numbering;
    }

    /** The chunk's data, or null. */
    byte[] get(ChunkInfo c) {
        return cache == null ? null : cache.getIfPresent(new ChunkKey(blobId, numbering, c.index()));
    }

    void put(ChunkInfo c, byte[] data) {
        if (cache != null) {
            cache.put(new ChunkKey(blobId, numbering, c.index()), data);
        }
    }
}
