package dev.jnydus.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class LogThrottleTest {
    private final AtomicLong now = new AtomicLong(1_000);
    private final LogThrottle throttle = new LogThrottle(now::get, 10, TimeUnit.SECONDS);

    @Test
    void reportsOncePerPeriodAndKeyWithTheCountOfWhatItSuppressed() {
        assertThat(throttle.tryReport("a")).isZero();
        assertThat(throttle.tryReport("a")).isEqualTo(LogThrottle.SUPPRESSED);
        assertThat(throttle.tryReport("a")).isEqualTo(LogThrottle.SUPPRESSED);
        assertThat(throttle.tryReport("b")).as("another key has its own period").isZero();
        now.addAndGet(TimeUnit.SECONDS.toNanos(10) - 1);
        assertThat(throttle.tryReport("a")).isEqualTo(LogThrottle.SUPPRESSED);
        now.addAndGet(1);
        assertThat(throttle.tryReport("a")).as("three suppressed since the last report").isEqualTo(3);
        assertThat(throttle.tryReport("a")).isEqualTo(LogThrottle.SUPPRESSED);
    }

    @Test
    void aTickerThatWrapsAroundStillOpensTheNextPeriod() {
        now.set(Long.MAX_VALUE - 5);
        assertThat(throttle.tryReport("k")).isZero();
        now.set(Long.MAX_VALUE - 5 + TimeUnit.SECONDS.toNanos(10));
        assertThat(throttle.tryReport("k")).isZero();
    }
}
