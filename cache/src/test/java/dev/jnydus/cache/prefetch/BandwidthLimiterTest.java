package dev.jnydus.cache.prefetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jnydus.testkit.ManualTicker;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class BandwidthLimiterTest {
    private static final long MIB = 1 << 20;
    private final ManualTicker ticker = new ManualTicker(1_000_000_000L);

    @Test
    void fullBucketThenTheRate() throws Exception {
        BandwidthLimiter l = new BandwidthLimiter(16 * MIB, ticker, d -> ticker.sleep(d.toNanos()));
        assertThat(l.acquire(16 * MIB, () -> false)).isTrue();
        assertThat(ticker.nanos()).isEqualTo(1_000_000_000L);
        long t0 = ticker.nanos();
        l.acquire(8 * MIB, () -> false);
        assertThat(ticker.nanos() - t0).isBetween(499_000_000L, 501_000_000L);
        t0 = ticker.nanos();
        for (int i = 0; i < 32; i++) {
            l.acquire(MIB, () -> false);
        }
        assertThat(ticker.nanos() - t0).isBetween(1_990_000_000L, 2_010_000_000L);
    }

    @Test
    void requestsLargerThanTheBucketPassOnceItIsFullAndLeaveADebt() throws Exception {
        BandwidthLimiter l = new BandwidthLimiter(16 * MIB, ticker, d -> ticker.sleep(d.toNanos()));
        l.acquire(48 * MIB, () -> false);
        long t0 = ticker.nanos();
        assertThat(l.available()).isEqualTo(-32.0 * MIB);
        l.acquire(1, () -> false);
        assertThat(ticker.nanos() - t0).isBetween(1_999_000_000L, 2_001_000_000L);
    }

    @Test
    void onDemandBytesAreChargedToTheNextRequest() throws Exception {
        BandwidthLimiter l = new BandwidthLimiter(16 * MIB, ticker, d -> ticker.sleep(d.toNanos()));
        l.charge(16 * MIB);
        long t0 = ticker.nanos();
        l.acquire(16 * MIB, () -> false);
        assertThat(ticker.nanos() - t0).isZero();
        l.acquire(16 * MIB, () -> false);
        assertThat(ticker.nanos() - t0).isBetween(1_999_000_000L, 2_001_000_000L);
    }

    @Test
    void cancellationEndsTheWait() throws Exception {
        BandwidthLimiter l = new BandwidthLimiter(16 * MIB, ticker, d -> ticker.sleep(d.toNanos()));
        l.acquire(16 * MIB, () -> false);
        AtomicInteger polls = new AtomicInteger();
        assertThat(l.acquire(16 * MIB, () -> polls.incrementAndGet() > 3)).isFalse();
        assertThat(polls.get()).isEqualTo(4);
    }

    @Test
    void rateMustBePositive() {
        assertThatThrownBy(() -> new BandwidthLimiter(0, ticker, d -> ticker.sleep(d.toNanos()))).hasMessageContaining("0");
    }
}
