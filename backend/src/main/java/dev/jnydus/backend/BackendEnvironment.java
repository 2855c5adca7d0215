package dev.jnydus.backend;

import dev.jnydus.common.Ticker;
import java.time.Clock;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Everything a backend takes from the world instead of from statics: monotonic time, wall time (for
 * request signatures and expiring URLs), sleeping, randomness, a scheduler for health checks, an
 * executor for background token refresh, and the process environment (for
 * {@code NYDUS_HEADER_*}). Only {@code nydusd} builds
 * {@link #system}; tests build their own.
 *
 * <p>The scheduler is borrowed, never shut down by a backend: the owner of the environment shuts
 * it down.
 */
public record BackendEnvironment(Ticker ticker, Clock clock, Sleeper sleeper, RandomSource random,
        ScheduledExecutorService scheduler, Executor executor, Map<String, String> env) {

    public BackendEnvironment {
        Objects.requireNonNull(ticker, "ticker");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(sleeper, "sleeper");
        Objects.requireNonNull(random, "random");
        Objects.requireNonNull(scheduler, "scheduler");
        Objects.requireNonNull(executor, "executor");
        env = Map.copyOf(env);
    }

    /** The real world: system clocks, real sleeps, a thread-local random and the process environment. */
    public static BackendEnvironment system(ScheduledExecutorService scheduler) {
        return new BackendEnvironment(Ticker.system(), Clock.systemUTC(), Sleeper.system(), RandomSource.system(),
                scheduler, scheduler, System.getenv());
    }

    public BackendEnvironment withEnv(Map<String, String> newEnv) {
        return new BackendEnvironment(ticker, clock, sleeper, random, scheduler, executor, newEnv);
    }

    public BackendEnvironment withRandom(RandomSource r) {
        return new BackendEnvironment(ticker, clock, sleeper, r, scheduler, executor, env);
    }
}
