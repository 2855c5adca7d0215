package dev.jnydus.common;

/** A source of monotonic time in nanoseconds, injected so that tests can move time by hand. */
@FunctionalInterface
public interface Ticker {
    long nanos();

    static Ticker system() {
        return System::nanoTime;
    }
}
