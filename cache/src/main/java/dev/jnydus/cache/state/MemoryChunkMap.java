package dev.jnydus.cache.state;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Readiness kept in memory only: for blobs whose chunk count is unknown (legacy v5 without the
 * extended blob table), where upstream uses its digest-keyed map and re-establishes readiness by
 * validating cached data; and for fscache blobs, whose readiness is rebuilt from the kernel's
 * cache file ({@link ChunkMap#rebuilt}).
 */
final class MemoryChunkMap implements ChunkMap {
    private final int chunkCount;
    private final Set<Integer> ready = ConcurrentHashMap.newKeySet();
    private final AtomicInteger count = new AtomicInteger();
    private final boolean rebuilt;

    MemoryChunkMap(int chunkCount, boolean rebuilt) {
        if (chunkCount < 0) {
            throw new IllegalArgumentException("chunk count " + chunkCount);
        }
        this.chunkCount = chunkCount;
        this.rebuilt = rebuilt;
    }

    private void check(int index) {
        if (index < 0 || (chunkCount > 0 && index >= chunkCount)) {
            throw new IndexOutOfBoundsException("chunk index " + index + " exceeds chunk count " + chunkCount);
        }
    }

    @Override
    public int chunkCount() {
        return chunkCount;
    }

    @Override
    public boolean isReady(int index) {
        check(index);
        return ready.contains(index);
    }

    @Override
    public boolean markReady(int index) {
        check(index);
        if (ready.add(index)) {
            count.incrementAndGet();
            return true;
        }
        return false;
    }

    @Override
    public boolean clearReady(int index) {
        check(index);
        if (ready.remove(index)) {
            count.decrementAndGet();
            return true;
        }
        return false;
    }

    @Override
    public int readyCount() {
        return count.get();
    }

    @Override
    public boolean isPersistent() {
        return rebuilt;
    }

    @Override
    public void close() {
    }
}
