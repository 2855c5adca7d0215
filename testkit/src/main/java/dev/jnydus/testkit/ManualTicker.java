package dev.jnydus.testkit;

import dev.jnydus.common.Ticker;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link Ticker} that moves only when told to. {@link #sleep(long)} advances it instead of
 * blocking, so code that takes an injected sleeper can be run in virtual time: the total of all
 * sleeps is then exactly what the ticker reads.
 */
public final class ManualTicker implements Ticker {
    private final AtomicLong nanos;

    public ManualTicker() {
        this(0);
    }

    public ManualTicker(long startNanos) {
        this.nanos = new AtomicLong(startNanos);
    }

    @Override
    public long nanos() {
        return nanos.get();
    }

    public void advance(long deltaNanos) {
        if (deltaNanos < 0) {
            throw new IllegalArgumentException("a monotonic ticker cannot go back by " + deltaNanos + " ns");
        }
        nanos.addAndGet(deltaNanos);
    }

    public void advance(Duration d) {
        advance(d.toNanos());
    }

    /** A sleep in virtual time: advances the ticker and returns at once. */
    public void sleep(long deltaNanos) {
        if (deltaNanos > 0) {
            advance(deltaNanos);
        }
    }
}
