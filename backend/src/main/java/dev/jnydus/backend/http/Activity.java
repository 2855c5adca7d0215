package dev.jnydus.backend.http;

import dev.jnydus.common.Ticker;
import java.util.concurrent.atomic.AtomicLong;

/**
 * When the backend last sent a request, so health checks can pause while it is idle (upstream's
 * {@code check_pause_elapsed}): an idle daemon should not ping a proxy every five seconds forever.
 */
final class Activity {
    private final Ticker ticker;
    private final AtomicLong last;

    Activity(Ticker ticker) {
        this.ticker = ticker;
        this.last = new AtomicLong(ticker.nanos());
    }

    void touch() {
        last.set(ticker.nanos());
    }

    long idleNanos() {
        return ticker.nanos() - last.get();
    }
}
