package dev.jnydus.cache.state;

/**
 * Which chunks of one blob are present in the local cache, by chunk index. Marking a chunk ready
 * is the last step of storing it: a chunk is marked only after its data was written, so a ready
 * bit always promises data (barring outside damage, which digest validation catches).
 *
 * <p>Implementations are thread-safe. Unlike upstream's {@code ChunkMap} trait there are no
 * defaults that fail at run time: every map answers every method.
 */
public interface ChunkMap extends AutoCloseable {
    /** Number of chunks tracked; 0 for a map of unknown size ({@link #memory(int)} with 0). */
    int chunkCount();

    boolean isReady(int index);

    /** Marks a chunk ready; returns {@code false} if it already was. */
    boolean markReady(int index);

    /** Marks a chunk not ready (its cached data proved bad); returns {@code false} if it was not ready. */
    boolean clearReady(int index);

    int readyCount();

    /** Whether every chunk is ready (never true for a map of unknown size). */
    default boolean allReady() {
        return chunkCount() > 0 && readyCount() >= chunkCount();
    }

    /** Whether readiness survives a restart. */
    boolean isPersistent();

    @Override
    void close();

    /** An in-memory map; {@code chunkCount} 0 means the count is unknown and any index is accepted. */
    static ChunkMap memory(int chunkCount) {
        return new MemoryChunkMap(chunkCount, false);
    }

    /**
     * An in-memory map whose caller rebuilds readiness from the cache file itself each time the blob
     * is opened (fscache: the file's data extents), so that, like a persisted map, it survives
     * restarts and its ready bits need no validation.
     */
    static ChunkMap rebuilt(int chunkCount) {
        if (chunkCount <= 0) {
            throw new IllegalArgumentException("a rebuilt chunk map needs the chunk count, got " + chunkCount);
        }
        return new MemoryChunkMap(chunkCount, true);
    }
}
