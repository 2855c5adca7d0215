package dev.jnydus.backend;

import java.util.concurrent.ThreadLocalRandom;

/** Randomness for jitter; injected so that tests see fixed values. */
@FunctionalInterface
public interface RandomSource {
    /** A uniformly distributed value in {@code [0, bound]} (inclusive); 0 when {@code bound <= 0}. */
    long nextLong(long bound);

    static RandomSource system() {
        return bound -> bound <= 0 ? 0 : ThreadLocalRandom.current().nextLong(bound + 1);
    }
}
