package dev.jnydus.backend;

import dev.jnydus.common.RequestSizes;
import dev.jnydus.common.Ticker;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * Read counters of one backend, with the fields and buckets of upstream's {@code BackendMetrics}
 * (nydus {@code utils/src/metrics.rs}) so that {@link Snapshot#toJson()} is the document
 * {@code GET /api/v1/metrics/backend} serves.
 *
 * <p>One logical read is one count, however many attempts the retry policy made; a read that
 * finally failed is also an error. Unlike upstream, the bytes of a failed read are not added to
 * {@code read_amount_total}: it counts bytes delivered. Record a read with the guard, which assumes
 * failure until told otherwise:
 *
 * <pre>{@code
 * try (BackendMetrics.Recorder r = metrics.begin(len)) {
 *     ...read...
 *     r.success();
 * }
 * }</pre>
 *
 * Thread-safe; recording never throws.
 */
public final class BackendMetrics {
    /** Size buckets: &lt;1K, 1K-4K, 4K-16K, 16K-64K, 64K-128K, 128K-512K, 512K-1M, &ge;1M. */
    public static final int SIZE_BUCKETS = 8;
    /** Latency buckets in ms: &le;1, &le;20, &le;50, &le;100, &le;500, &le;1000, &le;2000, &gt;2000. */
    public static final int LATENCY_BUCKETS = 8;

    private final String backendType;
    private final Ticker ticker;
    private final LongAdder readCount = new LongAdder();
    private final LongAdder readErrors = new LongAdder();
    private final LongAdder readAmountTotal = new LongAdder();
    private final LongAdder latencyMillisTotal = new LongAdder();
    private final AtomicLongArray latencyMillisBySize = new AtomicLongArray(SIZE_BUCKETS);
    private final AtomicLongArray countBySize = new AtomicLongArray(SIZE_BUCKETS);
    private final AtomicLongArray latencyBySize = new AtomicLongArray(SIZE_BUCKETS * LATENCY_BUCKETS);

    public BackendMetrics(String backendType, Ticker ticker) {
        this.backendType = backendType;
        this.ticker = ticker;
    }

    public String backendType() {
        return backendType;
    }

    /** Starts timing a read of {@code size} bytes; close the recorder when the read is over. */
    public Recorder begin(long size) {
        return new Recorder(size, ticker.nanos());
    }

    /** Records one finished read directly (for callers that time reads themselves). */
    public void record(long size, long elapsedNanos, boolean error, long bytesDelivered) {
        long millis = Math.max(0, elapsedNanos / 1_000_000);
        int s = sizeIndex(size);
        int l = latencyIndex(millis);
        readCount.increment();
        if (error) {
            readErrors.increment();
        } else {
            readAmountTotal.add(bytesDelivered);
        }
        latencyMillisTotal.add(millis);
        latencyMillisBySize.addAndGet(s, millis);
        countBySize.incrementAndGet(s);
        latencyBySize.incrementAndGet(s * LATENCY_BUCKETS + l);
    }

    /** Upstream's {@code request_size_index}: the bucket of a request of {@code size} bytes. */
    static int sizeIndex(long size) {
        return RequestSizes.index(size);
    }

    /** Upstream's {@code latency_millis_range_index}. */
    static int latencyIndex(long millis) {
        if (millis <= 1) {
            return 0;
        } else if (millis <= 20) {
            return 1;
        } else if (millis <= 50) {
            return 2;
        } else if (millis <= 100) {
            return 3;
        } else if (millis <= 500) {
            return 4;
        } else if (millis <= 1000) {
            return 5;
        } else if (millis <= 2000) {
            return 6;
        }
        return 7;
    }

    /** A consistent-enough copy of the counters (each counter is read once, without a global lock). */
    public Snapshot snapshot() {
        long[] latBySize = new long[SIZE_BUCKETS];
        long[] cntBySize = new long[SIZE_BUCKETS];
        long[][] latSizes = new long[SIZE_BUCKETS][LATENCY_BUCKETS];
        for (int s = 0; s < SIZE_BUCKETS; s++) {
            latBySize[s] = latencyMillisBySize.get(s);
            cntBySize[s] = countBySize.get(s);
            for (int l = 0; l < LATENCY_BUCKETS; l++) {
                latSizes[s][l] = latencyBySize.get(s * LATENCY_BUCKETS + l);
            }
        }
        return new Snapshot(backendType, readCount.sum(), readErrors.sum(), readAmountTotal.sum(),
                latencyMillisTotal.sum(), latBySize, cntBySize, latSizes);
    }

    /** Times one read; {@link #close()} records it as failed unless {@link #success} was called. */
    public final class Recorder implements AutoCloseable {
        private final long size;
        private final long start;
        private boolean ok;
        private long delivered;
        private boolean closed;

        private Recorder(long size, long start) {
            this.size = size;
            this.start = start;
        }

        /** Marks the read successful, having delivered {@code bytes} bytes. */
        public void success(long bytes) {
            ok = true;
            delivered = bytes;
        }

        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            record(size, ticker.nanos() - start, !ok, delivered);
        }
    }

    /**
     * The counters as upstream serializes them. Arrays are indexed by size bucket, and for
     * {@code readLatencySizesDist} then by latency bucket.
     */
    public record Snapshot(String backendType, long readCount, long readErrors, long readAmountTotal,
            long readCumulativeLatencyMillisTotal, long[] readCumulativeLatencyMillisDist,
            long[] readCountBlockSizeDist, long[][] readLatencySizesDist) {

        /** Mean latency of a read in milliseconds, 0 before the first read. */
        public double averageLatencyMillis() {
            return readCount == 0 ? 0 : (double) readCumulativeLatencyMillisTotal / readCount;
        }

        /** The JSON upstream's {@code /api/v1/metrics/backend} returns, with the same field names. */
        public String toJson() {
            StringBuilder b = new StringBuilder(512);
            b.append("{\"backend_type\":\"").append(escape(backendType)).append('"');
            b.append(",\"read_count\":").append(readCount);
            b.append(",\"read_errors\":").append(readErrors);
            b.append(",\"read_amount_total\":").append(readAmountTotal);
            b.append(",\"read_cumulative_latency_millis_total\":").append(readCumulativeLatencyMillisTotal);
            b.append(",\"read_cumulative_latency_millis_dist\":");
            array(b, readCumulativeLatencyMillisDist);
            b.append(",\"read_count_block_size_dist\":");
            array(b, readCountBlockSizeDist);
            b.append(",\"read_latency_sizes_dist\":[");
            for (int s = 0; s < readLatencySizesDist.length; s++) {
                if (s > 0) {
                    b.append(',');
                }
                array(b, readLatencySizesDist[s]);
            }
            return b.append("]}").toString();
        }

        private static void array(StringBuilder b, long[] a) {
            b.append('[');
            for (int i = 0; i < a.length; i++) {
                if (i > 0) {
                    b.append(',');
                }
                b.append(a[i]);
            }
            b.append(']');
        }

        private static String escape(String s) {
            StringBuilder b = new StringBuilder(s.length());
            for (char c : s.toCharArray()) {
                if (c == '"' || c == '\\') {
                    b.append('\\').append(c);
                } else if (c < 0x20) {
                    b.append(String.format("\\u%04x", (int) c));
                } else {
                    b.append(c);
                }
            }
            return b.toString();
        }
    }
}
