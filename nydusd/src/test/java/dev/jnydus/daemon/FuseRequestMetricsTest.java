package dev.jnydus.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jnydus.fuse.abi.Opcode;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class FuseRequestMetricsTest {
    private final FuseRequestMetrics m =
            new FuseRequestMetrics(Clock.fixed(Instant.ofEpochSecond(1_700_000_000L), ZoneOffset.UTC));

    @Test
    void aRequestIsInFlightFromBeginToEndWhicheverThreadEndsIt() throws Exception {
        assertThat(m.inflightJson()).isEmpty();
        CountDownLatch begun = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Void> worker = CompletableFuture.runAsync(() -> {
            m.begin(Opcode.READ, 0x0100000000000005L, 42);
            begun.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            m.end(Opcode.READ, 0x0100000000000005L, 42, 3_000_000, 0);
        });
        begun.await();
        assertThat(m.inflightJson()).contains(
                "[{\"inode\":72057594037927941,\"opcode\":15,\"unique\":42,\"timestamp_secs\":1700000000}]");
        release.countDown();
        worker.get();
        assertThat(m.inflightJson()).isEmpty();

        // A READ answered later: its worker begins the next request, a fetch thread ends it.
        m.begin(Opcode.READ, 5, 43);
        m.begin(Opcode.LOOKUP, 1, 44);
        m.end(Opcode.LOOKUP, 1, 44, 1_000, 0);
        assertThat(m.inflightJson()).hasValueSatisfying(j -> assertThat(j).contains("\"unique\":43"));
        CompletableFuture.runAsync(() -> m.end(Opcode.READ, 5, 43, 9_000_000, 0)).get();
        assertThat(m.inflightJson()).isEmpty();
        assertThat(m.seen().get(Opcode.READ).count.sum()).isEqualTo(2);
    }

    @Test
    void latenciesLandInTheirBucketsAndErrorsAreCounted() {
        m.record(Opcode.LOOKUP, 1, 50_000, 0);
        m.record(Opcode.LOOKUP, 1, 2_000_000, 2);
        m.record(Opcode.LOOKUP, 1, 10_000_000_000L, 0);
        FuseRequestMetrics.OpStats s = m.seen().get(Opcode.LOOKUP);
        assertThat(s.buckets.get(0)).isEqualTo(1);
        assertThat(s.buckets.get(3)).isEqualTo(1);
        assertThat(s.buckets.get(FuseRequestMetrics.BUCKETS.length)).as("+Inf").isEqualTo(1);
        assertThat(s.errors.sum()).isEqualTo(1);
        assertThat(m.seen()).containsOnlyKeys(Opcode.LOOKUP);
    }

    @Test
    void prometheusTextGroupsSamplesUnderTheirFamilyAndEscapesLabels() {
        PrometheusText p = new PrometheusText();
        p.family("a_total", "counter", "A");
        p.family("h_seconds", "histogram", "H");
        p.sample("h_seconds_bucket", 1, "le", "+Inf");
        p.sample("a_total", 2.5, "mp", "x\"y\\z\n");
        p.sample("h_seconds_sum", 0.25);
        assertThat(p.toString()).isEqualTo("""
                # HELP a_total A
                # TYPE a_total counter
                a_total{mp="x\\"y\\\\z\\n"} 2.5
                # HELP h_seconds H
                # TYPE h_seconds histogram
                h_seconds_bucket{le="+Inf"} 1
                h_seconds_sum 0.25
                """);
        assertThatThrownBy(() -> p.sample("undeclared", 1)).isInstanceOf(IllegalArgumentException.class);
    }
}
