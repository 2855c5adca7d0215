package dev.jnydus.cache.prefetch;

import dev.jnydus.cache.device.PrefetchOptions;
import dev.jnydus.backend.Sleeper;
import dev.jnydus.common.Ticker;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs prefetch requests on {@code threads_count} worker threads of their own, so that on-demand
 * reads, which run on the caller's thread, never queue behind prefetch. Each worker has one
 * request in flight; requests pass the bandwidth limiter before they claim any chunk, so a reader
 * can only ever wait for a prefetch request that is already on the wire, never for one that is
 * waiting for bandwidth.
 *
 * <p>Failed requests are retried (re-queued) while a budget of 32 retries per scheduler lasts, as
 * upstream's worker manager does for blob prefetches.
 */
public final class PrefetchScheduler implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PrefetchScheduler.class);
    private static final int RETRY_BUDGET = 32;

    private final LinkedBlockingQueue<Entry> queue = new LinkedBlockingQueue<>();
    private final List<Thread> threads = new ArrayList<>();
    private final BandwidthLimiter limiter;
    private final Ticker ticker;
    private final Clock wallClock;
    private final PrefetchMetrics metrics;
    private final AtomicInteger retries = new AtomicInteger(RETRY_BUDGET);
    private final AtomicInteger active = new AtomicInteger();
    private final boolean enabled;
    private volatile boolean closed;

    private record Entry(PrefetchTask task, long submittedNanos) {
    }

    public PrefetchScheduler(PrefetchOptions options, Ticker ticker, Sleeper sleeper, Clock wallClock,
                             ThreadFactory threadFactory, PrefetchMetrics metrics) {
        this.ticker = ticker;
        this.wallClock = wallClock;
        this.metrics = metrics;
        this.enabled = options.enable();
        long rate = options.effectiveBandwidthRate();
        this.limiter = rate > 0 ? new BandwidthLimiter(rate, ticker, sleeper) : null;
        if (enabled) {
            for (int i = 0; i < options.threadsCount(); i++) {
                Thread t = threadFactory.newThread(this::work);
                threads.add(t);
            }
            threads.forEach(Thread::start);
        }
    }

    public boolean isEnabled() {
        return enabled && !closed;
    }

    /** A new group for one device's prefetch work. */
    public PrefetchGroup newGroup(String name) {
        return new PrefetchGroup(name);
    }

    /** Queues a task; dropped (returns false) when prefetch is disabled, closed or the group is cancelled. */
    public boolean submit(PrefetchTask task) {
        if (!isEnabled() || task.group().isCancelled()) {
            return false;
        }
        task.group().added();
        active.incrementAndGet();
        queue.add(new Entry(task, ticker.nanos()));
        return true;
    }

    /** Charges bytes read on demand to the prefetch budget while prefetch is under way. */
    public void chargeOnDemand(long bytes) {
        if (limiter != null && active.get() > 0) {
            limiter.charge(bytes);
        }
    }

    /**
     * Cancels a group: its queued tasks are dropped at once; running ones finish their current
     * request. Waits up to {@code timeout} for them; returns whether the group went idle.
     */
    public boolean cancel(PrefetchGroup group, Duration timeout) throws InterruptedException {
        group.cancel();
        List<Entry> dropped = new ArrayList<>();
        queue.removeIf(e -> {
            if (e.task().group() == group) {
                dropped.add(e);
                return true;
            }
            return false;
        });
        for (Entry e : dropped) {
            finish(e.task());
        }
        return group.awaitIdle(timeout);
    }

    private void finish(PrefetchTask task) {
        active.decrementAndGet();
        task.group().done();
    }

    private void work() {
        metrics.workers.incrementAndGet();
        try {
            while (!closed) {
                Entry e;
                try {
                    e = queue.take();
                } catch (InterruptedException ie) {
                    break;
                }
                boolean requeued = false;
                try {
                    requeued = runOne(e);
                } catch (InterruptedException ie) {
                    break;
                } finally {
                    if (!requeued) {
                        finish(e.task());
                    }
                }
            }
        } finally {
            metrics.workers.decrementAndGet();
        }
    }

    private boolean runOne(Entry e) throws InterruptedException {
        PrefetchTask task = e.task();
        PrefetchGroup group = task.group();
        if (group.isCancelled() || closed) {
            return false;
        }
        if (limiter != null && !limiter.acquire(task.networkBytes(), () -> group.isCancelled() || closed)) {
            return false;
        }
        if (group.isCancelled() || closed) {
            return false;
        }
        metrics.begin(wallClock.millis());
        try {
            long bytes = task.run();
            metrics.dataAmount.add(bytes);
            return false;
        } catch (Exception ex) {
            if (!group.isCancelled() && !closed && retries.getAndUpdate(v -> v > 0 ? v - 1 : 0) > 0) {
                LOG.debug("prefetch request failed, retrying: {}", ex.toString());
                queue.add(new Entry(task, e.submittedNanos()));
                return true;
            }
            LOG.warn("prefetch request of {} failed: {}", group.name(), ex.toString());
            return false;
        } finally {
            metrics.requestsCount.increment();
            metrics.cumulativeTimeMillis.add((ticker.nanos() - e.submittedNanos()) / 1_000_000);
            metrics.endEpochMillis.set(wallClock.millis());
        }
    }

    /** Stops the workers: queued tasks are dropped, running ones end after their current request. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        List<Entry> rest = new ArrayList<>();
        queue.drainTo(rest);
        rest.forEach(e -> finish(e.task()));
        for (Thread t : threads) {
            // Idle workers block in take(); wake them. A worker inside a request is not
            // interrupted (an interrupt would close the cache file channels it writes to).
            if (t.getState() == Thread.State.WAITING || t.getState() == Thread.State.TIMED_WAITING) {
                t.interrupt();
            }
        }
        for (Thread t : threads) {
            try {
                t.join(5_000);
                if (t.isAlive()) {
                    t.interrupt();
                    t.join(1_000);
                }
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
