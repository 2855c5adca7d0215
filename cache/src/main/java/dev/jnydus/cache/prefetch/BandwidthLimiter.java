package dev.jnydus.cache.prefetch;

import dev.jnydus.backend.Sleeper;
import dev.jnydus.common.Ticker;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

/**
 * A token bucket for prefetch bytes. It holds at most {@code rate} bytes (one second's worth) and
 * starts full, as upstream's limiter (initial = limit, refilled at limit per second). A request
 * larger than what the bucket can hold waits until it is full and then drives it negative; the
 * debt is paid by later requests, so the long-run rate holds for any request size.
 *
 * <p>Bytes read on demand while prefetch runs are charged too ({@link #charge}), without ever
 * blocking the reader: they are added to the next prefetch request, so prefetch yields bandwidth
 * to users (upstream's {@code consume_prefetch_budget}).
 *
 * <p>Acquirers are served one at a time (the lock is held while waiting) so that waits add up to
 * exactly the deficit; this also makes the limiter deterministic under a virtual-time sleeper.
 */
public final class BandwidthLimiter {
    private static final long MAX_SLEEP_NANOS = 100_000_000L;

    private final long rate;
    private final Ticker ticker;
    private final Sleeper sleeper;
    private final AtomicLong charged = new AtomicLong();
    private double tokens;
    private long last;

    /** @param rate bytes per second, > 0 */
    public BandwidthLimiter(long rate, Ticker ticker, Sleeper sleeper) {
        if (rate <= 0) {
            throw new IllegalArgumentException("bandwidth rate must be positive, got " + rate);
        }
        this.rate = rate;
        this.ticker = ticker;
        this.sleeper = sleeper;
        this.tokens = rate;
        this.last = ticker.nanos();
    }

    /** Adds on-demand bytes to the next prefetch acquisition; never blocks. */
    public void charge(long bytes) {
        if (bytes > 0) {
            charged.addAndGet(bytes);
        }
    }

    /**
     * Takes {@code bytes} tokens, waiting as needed. Returns {@code false} (having taken nothing)
     * when {@code cancelled} turns true while waiting.
     */
    public synchronized boolean acquire(long bytes, BooleanSupplier cancelled) throws InterruptedException {
        long want = bytes + charged.getAndSet(0);
        double need = Math.min(want, rate);
        refill();
        while (tokens < need) {
            if (cancelled.getAsBoolean()) {
                return false;
            }
            long waitNanos = (long) Math.ceil((need - tokens) * 1e9 / rate);
            sleeper.sleep(Duration.ofNanos(Math.max(1, Math.min(waitNanos, MAX_SLEEP_NANOS))));
            refill();
        }
        tokens -= want;
        return true;
    }

    private void refill() {
        long now = ticker.nanos();
        long elapsed = now - last;
        last = now;
        if (elapsed > 0) {
            tokens = Math.min(rate, tokens + elapsed * (rate / 1e9));
        }
    }

    /** Tokens available now (may be negative while a debt is paid off). */
    public synchronized double available() {
        refill();
        return tokens;
    }
}
