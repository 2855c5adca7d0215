package dev.jnydus.cache.device;

/**
 * Waits for a span of time; injected so that tests can run the bandwidth limiter in virtual time.
 */
@FunctionalInterface
public interface Sleeper {
    void sleepNanos(long nanos) throws InterruptedException;

    static Sleeper system() {
        return nanos -> {
            if (nanos > 0) {
                Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000));
            }
        };
    }
}
