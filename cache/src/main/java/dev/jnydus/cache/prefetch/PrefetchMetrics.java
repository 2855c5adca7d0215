package dev.jnydus.cache.prefetch;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/** The prefetch counters of upstream's blob-cache metrics, updated by the workers. */
public final class PrefetchMetrics {
    final LongAdder dataAmount = new LongAdder();
    final LongAdder requestsCount = new LongAdder();
    final AtomicInteger workers = new AtomicInteger();
    final LongAdder unmergedChunks = new LongAdder();
    final LongAdder cumulativeTimeMillis = new LongAdder();
    final AtomicLong beginEpochMillis = new AtomicLong();
    final AtomicLong endEpochMillis = new AtomicLong();
    private final AtomicBoolean begun = new AtomicBoolean();

    public long dataAmount() {
        return dataAmount.sum();
    }

    public long requestsCount() {
        return requestsCount.sum();
    }

    public int workers() {
        return workers.get();
    }

    public long unmergedChunks() {
        return unmergedChunks.sum();
    }

    public void addUnmergedChunks(long n) {
        unmergedChunks.add(n);
    }

    public long cumulativeTimeMillis() {
        return cumulativeTimeMillis.sum();
    }

    /** Wall-clock time the first prefetch request started, epoch millis (0 before). */
    public long beginEpochMillis() {
        return beginEpochMillis.get();
    }

    /** Wall-clock time the latest prefetch request ended, epoch millis (0 before). */
    public long endEpochMillis() {
        return endEpochMillis.get();
    }

    void begin(long epochMillis) {
        if (begun.compareAndSet(false, true)) {
            beginEpochMillis.set(epochMillis);
        }
    }
}
