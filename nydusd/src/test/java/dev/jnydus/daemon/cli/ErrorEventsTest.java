package dev.jnydus.daemon.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import org.junit.jupiter.api.Test;

class ErrorEventsTest {
    private static final ZonedDateTime T = ZonedDateTime.of(2026, 7, 23, 10, 52, 53, 0, ZoneOffset.UTC);

    @Test
    void linesAreStampedWithAnHttpDate() {
        ErrorEvents e = new ErrorEvents();
        e.push("failed to read blob b", T);
        ErrorEvents.Snapshot s = e.snapshot();
        assertThat(s.errors()).containsExactly("Thu, 23 Jul 2026 10:52:53 GMT - failed to read blob b");
        assertThat(s.totalErrors()).isEqualTo(1);
        assertThat(s.totalSize()).isEqualTo(s.errors().get(0).length());
        assertThat(s.maxErrors()).isEqualTo(500);
        assertThat(s.maxSize()).isEqualTo(51200);
    }

    @Test
    void theOldestGoFirstByCountAndBySize() {
        ErrorEvents e = new ErrorEvents(3, 200);
        for (int i = 0; i < 5; i++) {
            e.push("e" + i, T);
        }
        assertThat(e.snapshot().errors()).hasSize(3).last().asString().endsWith("e4");
        assertThat(e.snapshot().errors().get(0)).endsWith("e2");
        e.push("x".repeat(150), T);
        ErrorEvents.Snapshot s = e.snapshot();
        assertThat(s.totalSize()).isLessThanOrEqualTo(200);
        assertThat(s.errors()).last().asString().endsWith("x".repeat(150));
        e.push("y".repeat(300), T);
        assertThat(e.snapshot().errors()).as("too long for the ring: dropped").last().asString().endsWith("x");
    }
}
