package dev.jnydus.rafs.fs;

import dev.jnydus.common.Ticker;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One error line per failing blob and period: a reader hammering a missing blob must not flood
 * the log, yet the first failure and the count of the rest must be there. The line names the blob,
 * which is what an operator needs to find the broken backend object.
 */
final class BlobErrorLog {
    private static final Logger LOG = LoggerFactory.getLogger(RafsFileSystem.class);

    private final Ticker ticker;
    private final long periodNanos;
    private final ConcurrentHashMap<String, State> states = new ConcurrentHashMap<>();

    private static final class State {
        final AtomicLong nextLogAt = new AtomicLong(Long.MIN_VALUE);
        final AtomicLong suppressed = new AtomicLong();
    }

    BlobErrorLog(Ticker ticker, long period, TimeUnit unit) {
        this.ticker = ticker;
        this.periodNanos = unit.toNanos(period);
    }

    /** Logs (or counts) one failed read from {@code blobId}. Returns whether a line was written. */
    boolean failed(String blobId, String what, String cause) {
        State s = states.computeIfAbsent(blobId, k -> new State());
        long now = ticker.nanos();
        long next = s.nextLogAt.get();
        if ((next != Long.MIN_VALUE && now - next < 0) || !s.nextLogAt.compareAndSet(next, now + periodNanos)) {
            s.suppressed.incrementAndGet();
            return false;
        }
        long more = s.suppressed.getAndSet(0);
        if (more > 0) {
            LOG.error("failed to read blob {}: {}: {} ({} more failures of this blob since the last report)", blobId,
                    what, cause, more);
        } else {
            LOG.error("failed to read blob {}: {}: {}", blobId, what, cause);
        }
        return true;
    }
}
