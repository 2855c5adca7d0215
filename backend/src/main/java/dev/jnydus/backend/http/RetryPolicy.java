package dev.jnydus.backend.http;

import dev.jnydus.backend.RandomSource;
import dev.jnydus.backend.RequestSource;
import java.time.Duration;

/**
 * How many times a failed request is retried and how long to wait in between.
 *
 * <p>Upstream HEAD retries on-demand reads 3 times without waiting and prefetch reads once after a
 * random 100-1000 ms, sending the last on-demand retry straight to the origin; up to v2.4.0 it
 * honoured {@code retry_limit} with back-off 0.5 s, 1 s, 2 s... {@link #forRetryLimit} keeps the
 * HEAD counts when {@code retry_limit} is 0 and honours it otherwise, and in both cases waits a
 * short exponential back-off with jitter, so that a registry that is restarting is not hit four
 * times within a millisecond.
 *
 * @param onDemandRetries retries after the first attempt of an on-demand read
 * @param prefetchRetries retries after the first attempt of a prefetch read
 * @param baseBackoff wait before the first retry of an on-demand read; doubles per retry
 * @param maxBackoff cap of the doubled wait
 * @param prefetchMinWait lower bound of the random wait before a prefetch retry
 * @param prefetchMaxWait upper bound of the random wait before a prefetch retry
 * @param directOnLastRetry send the last on-demand retry to the origin, bypassing proxy and mirrors
 */
public record RetryPolicy(int onDemandRetries, int prefetchRetries, Duration baseBackoff, Duration maxBackoff,
        Duration prefetchMinWait, Duration prefetchMaxWait, boolean directOnLastRetry) {

    public RetryPolicy {
        if (onDemandRetries < 0 || prefetchRetries < 0) {
            throw new IllegalArgumentException("retry counts must not be negative: " + onDemandRetries + ", "
                    + prefetchRetries);
        }
    }

    /** The policy for a backend's {@code retry_limit} (0 = upstream HEAD counts). */
    public static RetryPolicy forRetryLimit(int retryLimit) {
        if (retryLimit == 0) {
            return new RetryPolicy(3, 1, Duration.ofMillis(100), Duration.ofSeconds(1), Duration.ofMillis(100),
                    Duration.ofSeconds(1), true);
        }
        return new RetryPolicy(retryLimit, Math.min(retryLimit, 1), Duration.ofMillis(500), Duration.ofSeconds(4),
                Duration.ofMillis(100), Duration.ofSeconds(1), true);
    }

    /** No retries at all. */
    public static RetryPolicy none() {
        return new RetryPolicy(0, 0, Duration.ZERO, Duration.ZERO, Duration.ZERO, Duration.ZERO, false);
    }

    public int retries(RequestSource source) {
        return source == RequestSource.PREFETCH ? prefetchRetries : onDemandRetries;
    }

    /** The wait before retry number {@code retry} (1-based). */
    public Duration backoff(int retry, RequestSource source, RandomSource random) {
        if (source == RequestSource.PREFETCH) {
            long span = prefetchMaxWait.toMillis() - prefetchMinWait.toMillis();
            return prefetchMinWait.plusMillis(random.nextLong(Math.max(0, span)));
        }
        long base = baseBackoff.toMillis();
        if (base == 0) {
            return Duration.ZERO;
        }
        long wait = base << Math.min(retry - 1, 20);
        wait = Math.min(wait, maxBackoff.toMillis());
        return Duration.ofMillis(wait + random.nextLong(base / 2));
    }

    /** Statuses worth another try: server errors, 408 and 429. */
    public static boolean retryableStatus(int code) {
        return code >= 500 || code == 408 || code == 429;
    }
}
