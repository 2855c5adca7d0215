package dev.jnydus.common;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * At most one report per key and period: when a failing blob makes every reader fail, the log
 * must show the first failure and how many followed, not each of them. Thread-safe; time comes
 * from the injected {@link Ticker}.
 */
public final class LogThrottle {
    /** What {@link #tryReport} returns for a call that must stay quiet. */
    public static final long SUPPRESSED = -1;

    private final Ticker ticker;
    private final long periodNanos;
    private final ConcurrentHashMap<String, State> states = new ConcurrentHashMap<>();

    private static final class State {
        final AtomicLong nextReportAt = new AtomicLong(Long.MIN_VALUE);
        final AtomicLong suppressed = new AtomicLong();
    }

    public LogThrottle(Ticker ticker, long period, TimeUnit unit) {
        this.ticker = ticker;
        this.periodNanos = unit.toNanos(period);
    }

    /**
     * Counts one occurrence for {@code key}. Returns {@link #SUPPRESSED} when it must not be
     * reported, else how many occurrences were suppressed since the last report (0 or more).
     */
    public long tryReport(String key) {
        State s = states.computeIfAbsent(key, k -> new State());
        long now = ticker.nanos();
        long next = s.nextReportAt.get();
        if ((next != Long.MIN_VALUE && now - next < 0) || !s.nextReportAt.compareAndSet(next, now + periodNanos)) {
            s.suppressed.incrementAndGet();
            return SUPPRESSED;
        }
        return s.suppressed.getAndSet(0);
    }
}
