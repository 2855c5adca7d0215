package dev.jnydus.cache.prefetch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jnydus.backend.Sleeper;
import dev.jnydus.cache.device.PrefetchOptions;
import dev.jnydus.cache.device.PrefetchPriority;
import dev.jnydus.common.Ticker;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The order in which the workers start requests: on-demand fetches first, then the normal lane, then the low one. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PrefetchSchedulerTest {
    private final List<String> events = new CopyOnWriteArrayList<>();

    private PrefetchScheduler scheduler(int threads) {
        return new PrefetchScheduler(PrefetchOptions.enabled(threads, 1 << 20, 0, false), Ticker.system(),
                Sleeper.system(), Clock.systemUTC(), r -> {
                    Thread t = new Thread(r, "test-prefetch");
                    t.setDaemon(true);
                    return t;
                }, new PrefetchMetrics());
    }

    /** A task that records its start and end, and may wait for a latch in between. */
    private PrefetchTask task(PrefetchGroup group, String name, PrefetchPriority priority, CountDownLatch hold) {
        return task(group, name, priority, hold, new CountDownLatch(1));
    }

    private PrefetchTask task(PrefetchGroup group, String name, PrefetchPriority priority, CountDownLatch hold,
                              CountDownLatch started) {
        return new PrefetchTask() {
            @Override
            public PrefetchGroup group() {
                return group;
            }

            @Override
            public long networkBytes() {
                return 1;
            }

            @Override
            public PrefetchPriority priority() {
                return priority;
            }

            @Override
            public long run() throws java.io.IOException {
                events.add("start " + name);
                started.countDown();
                try {
                    if (hold != null && !hold.await(30, TimeUnit.SECONDS)) {
                        throw new java.io.IOException(name + " was never released");
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                events.add("end " + name);
                return 1;
            }
        };
    }

    @Test
    void noRequestStartsWhileAnOnDemandFetchIsUnderWay() throws Exception {
        try (PrefetchScheduler s = scheduler(2)) {
            CountDownLatch paused = new CountDownLatch(1);
            s.pausedHook(paused::countDown);
            PrefetchGroup g = s.newGroup("g");
            s.onDemandStarted();
            s.submit(task(g, "p1", PrefetchPriority.NORMAL, null));
            s.submit(task(g, "p2", PrefetchPriority.NORMAL, null));
            // A worker found work and held back for the reader (an event, not a timeout).
            assertThat(paused.await(30, TimeUnit.SECONDS)).isTrue();
            events.add("on-demand done");
            s.onDemandFinished();
            assertThat(g.awaitIdle(Duration.ofSeconds(30))).isTrue();
            assertThat(events.get(0)).isEqualTo("on-demand done");
            assertThat(events).containsExactlyInAnyOrder("on-demand done", "start p1", "end p1", "start p2", "end p2");
        }
    }

    @Test
    void lowLaneRunsAfterTheNormalOne() throws Exception {
        // One worker: the order requests start in is the order they were taken in.
        try (PrefetchScheduler s = scheduler(1)) {
            CountDownLatch paused = new CountDownLatch(1);
            s.pausedHook(paused::countDown);
            PrefetchGroup g = s.newGroup("g");
            // Everything is queued before the worker may start (an on-demand fetch holds it).
            s.onDemandStarted();
            s.submit(task(g, "L1", PrefetchPriority.LOW, null));
            s.submit(task(g, "L2", PrefetchPriority.LOW, null));
            s.submit(task(g, "N1", PrefetchPriority.NORMAL, null));
            s.submit(task(g, "N2", PrefetchPriority.NORMAL, null));
            assertThat(paused.await(30, TimeUnit.SECONDS)).isTrue();
            s.onDemandFinished();
            assertThat(g.awaitIdle(Duration.ofSeconds(30))).isTrue();
            assertThat(events).containsExactly("start N1", "end N1", "start N2", "end N2", "start L1", "end L1",
                    "start L2", "end L2");
        }
    }

    @Test
    void lowLaneRunsOneRequestAtATimeThoughWorkersAreFree() throws Exception {
        try (PrefetchScheduler s = scheduler(3)) {
            PrefetchGroup g = s.newGroup("g");
            CountDownLatch releaseL1 = new CountDownLatch(1);
            CountDownLatch startedL1 = new CountDownLatch(1);
            s.submit(task(g, "L1", PrefetchPriority.LOW, releaseL1, startedL1));
            assertThat(startedL1.await(30, TimeUnit.SECONDS)).isTrue();
            s.submit(task(g, "L2", PrefetchPriority.LOW, null));
            s.submit(task(g, "N1", PrefetchPriority.NORMAL, null));
            // N1 runs beside L1 on another worker; L2 waits for L1 to end.
            while (!events.contains("end N1")) {
                Thread.onSpinWait();
            }
            assertThat(events).doesNotContain("start L2");
            releaseL1.countDown();
            assertThat(g.awaitIdle(Duration.ofSeconds(30))).isTrue();
            assertThat(events.indexOf("start L2")).isGreaterThan(events.indexOf("end L1"));
        }
    }

    @Test
    void cancelAndCloseDropWhatIsQueuedInBothLanes() throws Exception {
        PrefetchScheduler s = scheduler(1);
        PrefetchGroup g = s.newGroup("g");
        s.onDemandStarted();
        for (int i = 0; i < 3; i++) {
            s.submit(task(g, "N" + i, PrefetchPriority.NORMAL, null));
            s.submit(task(g, "L" + i, PrefetchPriority.LOW, null));
        }
        assertThat(s.queued()).isEqualTo(6);
        assertThat(s.cancel(g, Duration.ofSeconds(30))).isTrue();
        assertThat(s.queued()).isZero();
        PrefetchGroup g2 = s.newGroup("g2");
        s.submit(task(g2, "X", PrefetchPriority.LOW, null));
        s.close();
        assertThat(g2.awaitIdle(Duration.ofSeconds(30))).isTrue();
        assertThat(events).isEmpty();
        assertThat(s.submit(task(g2, "Y", PrefetchPriority.NORMAL, null))).isFalse();
    }
}
