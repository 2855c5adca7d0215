package dev.jnydus.fscache.fanotify;

import dev.jnydus.common.Ticker;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One error line per failing blob and period: while a backend is down every reader's event fails,
 * and the log must show the first failure and how many followed, not each of them.
 */
final class FillFailureLog {
    private static final Logger LOG = LoggerFactory.getLogger(FanotifyMount.class);

    private final Ticker ticker;
    private final long periodNanos;
    private final ConcurrentHashMap<String, State> states = new ConcurrentHashMap<>();

    private static final class State {
        final AtomicLong nextLogAt = new AtomicLong(Long.MIN_VALUE);
        final AtomicLong suppressed = new AtomicLong();
    }

    FillFailureLog(Ticker ticker, long period, TimeUnit unit) {
        this.ticker = ticker;
        this.periodNanos = unit.toNanos(period);
    }

    /** Logs (or counts) one failed fill; returns whether a line was written. */
    boolean failed(String blobId, long offset, long count, String cause) {
        State s = states.computeIfAbsent(blobId, k -> new State());
        long now = ticker.nanos();
        long next = s.nextLogAt.get();
        if ((next != Long.MIN_VALUE && now - next < 0) || !s.nextLogAt.compareAndSet(next, now + periodNanos)) {
            s.suppressed.incrementAndGet();
            return false;
        }
        long more = s.suppressed.getAndSet(0);
        LOG.error("failed to fill blob {} range {}+{}, the reader gets EIO: {}{}", blobId, offset, count, cause,
                more > 0 ? " (" + more + " more failures of this blob since the last report)" : "");
        return true;
    }
}
