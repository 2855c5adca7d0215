package dev.jnydus.backend;

import dev.jnydus.common.Ticker;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A backend environment for tests: a manual ticker, a fixed clock, a sleeper that records instead of
 * sleeping, fixed "randomness", a direct executor and a real scheduler that {@link #close} stops.
 */
public final class TestEnv implements AutoCloseable {
    /** Time that moves only when told. */
    public static final class ManualTicker implements Ticker {
        private final AtomicLong now = new AtomicLong(1_000_000_000L);

        @Override
        public long nanos() {
            return now.get();
        }

        public void advance(Duration d) {
            now.addAndGet(d.toNanos());
        }
    }

    /** Records each wait instead of waiting. */
    public static final class RecordingSleeper implements Sleeper {
        public final List<Duration> waits = Collections.synchronizedList(new ArrayList<>());

        @Override
        public void sleep(Duration d) {
            waits.add(d);
        }
    }

    public final ManualTicker ticker = new ManualTicker();
    public final RecordingSleeper sleeper = new RecordingSleeper();
    public final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "test-backend-scheduler");
        t.setDaemon(true);
        return t;
    });
    public Clock clock = Clock.fixed(Instant.parse("2024-05-24T00:00:00Z"), ZoneOffset.UTC);
    /** Returns the bound itself: the largest jitter, so tests see the worst case. */
    public RandomSource random = bound -> Math.max(0, bound);
    public Map<String, String> env = Map.of();

    public BackendEnvironment env() {
        return new BackendEnvironment(ticker, clock, sleeper, random, scheduler, Runnable::run, env);
    }

    /** Real time and real sleeps, for tests against real servers. */
    public BackendEnvironment realTime() {
        return new BackendEnvironment(Ticker.system(), Clock.systemUTC(), Sleeper.system(), RandomSource.system(),
                scheduler, Runnable::run, env);
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }
}
