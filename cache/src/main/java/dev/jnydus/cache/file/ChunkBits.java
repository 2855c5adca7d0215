package dev.jnydus.cache.file;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;

/** A fixed-size set of chunk ids, safe for concurrent use, that knows how many it holds. */
final class ChunkBits {
    private final AtomicLongArray words;
    private final AtomicInteger count = new AtomicInteger();

    ChunkBits(int size) {
        words = new AtomicLongArray((size + 63) >>> 6);
    }

    boolean contains(int id) {
        return (words.get(id >>> 6) & (1L << (id & 63))) != 0;
    }

    /** Adds {@code id}; true if it was not there. */
    boolean add(int id) {
        long bit = 1L << (id & 63);
        if ((words.getAndAccumulate(id >>> 6, bit, (a, b) -> a | b) & bit) == 0) {
            count.incrementAndGet();
            return true;
        }
        return false;
    }

    /** Removes {@code id}; true if it was there. */
    boolean remove(int id) {
        long bit = 1L << (id & 63);
        if ((words.getAndAccumulate(id >>> 6, ~bit, (a, b) -> a & b) & bit) != 0) {
            count.decrementAndGet();
            return true;
        }
        return false;
    }

    int size() {
        return count.get();
    }
}
