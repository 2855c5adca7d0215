package dev.jnydus.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Duration;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

class BackendMetricsTest {

    /** Upstream's request_size_index, transcribed bit for bit from utils/src/metrics.rs. */
    private static int upstreamSizeIndex(long size) {
        int ceil = Long.numberOfLeadingZeros(size >>> 10);
        int shift = (Math.max(ceil, 53) - 53) << 2;
        return (int) ((0x0112_2334_5567L >>> shift) & 0xf);
    }

    @Property
    void sizeBucketsAreUpstreams(@ForAll @LongRange(min = 0, max = 1L << 40) long size) {
        assertThat(BackendMetrics.sizeIndex(size)).isEqualTo(upstreamSizeIndex(size));
    }

    @Test
    void sizeBucketEdges() {
        assertThat(BackendMetrics.sizeIndex(1023)).isZero();
        assertThat(BackendMetrics.sizeIndex(1024)).isEqualTo(1);
        assertThat(BackendMetrics.sizeIndex(4 * 1024 - 1)).isEqualTo(1);
        assertThat(BackendMetrics.sizeIndex(4 * 1024)).isEqualTo(2);
        assertThat(BackendMetrics.sizeIndex(64 * 1024)).isEqualTo(4);
        assertThat(BackendMetrics.sizeIndex(128 * 1024)).isEqualTo(5);
        assertThat(BackendMetrics.sizeIndex(1024 * 1024 - 1)).isEqualTo(6);
        assertThat(BackendMetrics.sizeIndex(1024 * 1024)).isEqualTo(7);
    }

    @Test
    void latencyBucketEdgesAreUpstreams() {
        long[] edges = {0, 1, 2, 20, 21, 50, 51, 100, 101, 500, 501, 1000, 1001, 2000, 2001};
        int[] want = {0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7};
        for (int i = 0; i < edges.length; i++) {
            assertThat(BackendMetrics.latencyIndex(edges[i])).as("%d ms", edges[i]).isEqualTo(want[i]);
        }
    }

    @Test
    void recorderCountsSuccessErrorAndLatency() throws Exception {
        TestEnv.ManualTicker t = new TestEnv.ManualTicker();
        BackendMetrics m = new BackendMetrics("registry", t);
        try (BackendMetrics.Recorder r = m.begin(4096)) {
            t.advance(Duration.ofMillis(30));
            r.success(4096);
        }
        assertThatThrownBy(() -> {
            try (BackendMetrics.Recorder r = m.begin(100)) {
                t.advance(Duration.ofMillis(600));
                throw new IOException("boom");
            }
        }).isInstanceOf(IOException.class);
        BackendMetrics.Snapshot s = m.snapshot();
        assertThat(s.readCount()).isEqualTo(2);
        assertThat(s.readErrors()).isEqualTo(1);
        assertThat(s.readAmountTotal()).isEqualTo(4096);
        assertThat(s.readCumulativeLatencyMillisTotal()).isEqualTo(630);
        assertThat(s.averageLatencyMillis()).isEqualTo(315.0);
        assertThat(s.readCountBlockSizeDist()).containsExactly(1, 0, 1, 0, 0, 0, 0, 0);
        assertThat(s.readCumulativeLatencyMillisDist()).containsExactly(600, 0, 30, 0, 0, 0, 0, 0);
        assertThat(s.readLatencySizesDist()[2]).containsExactly(0, 0, 1, 0, 0, 0, 0, 0);
        assertThat(s.readLatencySizesDist()[0]).containsExactly(0, 0, 0, 0, 0, 1, 0, 0);
    }

    @Test
    void jsonHasUpstreamsFieldNamesAndShape() {
        TestEnv.ManualTicker t = new TestEnv.ManualTicker();
        BackendMetrics m = new BackendMetrics("registry", t);
        m.record(2 * 1024 * 1024, Duration.ofMillis(3).toNanos(), false, 2 * 1024 * 1024);
        String json = m.snapshot().toJson();
        assertThat(json).startsWith("{\"backend_type\":\"registry\",\"read_count\":1,\"read_errors\":0,"
                + "\"read_amount_total\":2097152,\"read_cumulative_latency_millis_total\":3,"
                + "\"read_cumulative_latency_millis_dist\":[0,0,0,0,0,0,0,3],"
                + "\"read_count_block_size_dist\":[0,0,0,0,0,0,0,1],\"read_latency_sizes_dist\":[[");
        assertThat(json).endsWith(",[0,1,0,0,0,0,0,0]]}");
        assertThat(json.chars().filter(c -> c == '[').count()).isEqualTo(2 + 1 + 8);
    }
}
