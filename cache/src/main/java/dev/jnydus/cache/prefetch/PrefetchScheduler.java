package dev.jnydus.cache.prefetch;

import dev.jnydus.backend.Sleeper;
import dev.jnydus.cache.device.PrefetchOptions;
import dev.jnydus.cache.device.PrefetchPriority;
import dev.jnydus.common.Ticker;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs prefetch requests on {@code threads_count} worker threads of their own, so that on-demand
 * reads, which run on the caller's thread, never queue behind prefetch. Each worker has one
 * request in flight; requests pass the bandwidth limiter before they claim any chunk, so a reader
 * can only ever wait for a prefetch request that is already on the wire, never for one that is
 * waiting for bandwidth.
 *
 * <p>On-demand reads come first on the link too: while any on-demand fetch is under way
 * ({@link #onDemandStarted}..{@link #onDemandFinished}), no worker starts a new request; those
 * already on the wire finish. Over a slow link this is what keeps a reader's request from sharing
 * the bandwidth with {@code threads_count} speculative ones. Requests queue in two lanes
 * ({@link PrefetchPriority}): the low lane runs only when the normal one is empty, one request at
 * a time.
 *
 * <p>Failed requests are retried (re-queued) while a budget of 32 retries per scheduler lasts, as
 * upstream's worker manager does for blob prefetches.
 */
public final class PrefetchScheduler implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PrefetchScheduler.class);
    private static final int RETRY_BUDGET = 32;

    /** How many low-lane requests may run at once. */
    static final int LOW_LANE_REQUESTS = 1;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final Deque<Entry> normal = new ArrayDeque<>();
    private final Deque<Entry> low = new ArrayDeque<>();
    private int lowRunning;
    private int onDemand;
    /** Tests: runs (under the lock) each time a worker that has work waits for on-demand reads. */
    private volatile Runnable pausedHook = () -> { };
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
        enqueue(new Entry(task, ticker.nanos()));
        return true;
    }

    private void enqueue(Entry e) {
        lock.lock();
        try {
            if (!closed) {
                (e.task().priority() == PrefetchPriority.LOW ? low : normal).add(e);
                changed.signal();
                return;
            }
        } finally {
            lock.unlock();
        }
        finish(e.task());
    }

    /**
     * An on-demand fetch is about to go to the backend: workers start no new request until every
     * such fetch has {@linkplain #onDemandFinished finished}. Calls must pair up.
     */
    public void onDemandStarted() {
        lock.lock();
        try {
            onDemand++;
        } finally {
            lock.unlock();
        }
    }

    /** The end of a fetch announced with {@link #onDemandStarted}. */
    public void onDemandFinished() {
        lock.lock();
        try {
            if (--onDemand <= 0) {
                onDemand = 0;
                changed.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Tests: {@code hook} runs, under the scheduler's lock (it must not block or call back), each
     * time a worker that has a request to start waits for on-demand fetches instead.
     */
    public void pausedHook(Runnable hook) {
        pausedHook = hook;
    }

    /** Requests queued and not yet taken by a worker. */
    public int queued() {
        lock.lock();
        try {
            return normal.size() + low.size();
        } finally {
            lock.unlock();
        }
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
        lock.lock();
        try {
            for (Deque<Entry> q : List.of(normal, low)) {
                q.removeIf(e -> {
                    if (e.task().group() == group) {
                        dropped.add(e);
                        return true;
                    }
                    return false;
                });
            }
        } finally {
            lock.unlock();
        }
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
                    e = take();
                } catch (InterruptedException ie) {
                    break;
                }
                if (e == null) {
                    break;
                }
                boolean requeued = false;
                try {
                    requeued = runOne(e);
                } catch (InterruptedException ie) {
                    break;
                } finally {
                    if (e.task().priority() == PrefetchPriority.LOW) {
                        lowDone();
                    }
                    if (!requeued) {
                        finish(e.task());
                    }
                }
            }
        } finally {
            metrics.workers.decrementAndGet();
        }
    }

    /**
     * The next request a worker may start, waiting while on-demand fetches are under way, nothing
     * is queued, or only low-lane requests are and their budget is in use. Null once closed.
     */
    private Entry take() throws InterruptedException {
        lock.lock();
        try {
            while (!closed) {
                boolean work = !normal.isEmpty() || (!low.isEmpty() && lowRunning < LOW_LANE_REQUESTS);
                if (work && onDemand == 0) {
                    Entry e = normal.poll();
                    if (e == null) {
                        e = low.poll();
                        lowRunning++;
                    }
                    return e;
                }
                if (work) {
                    pausedHook.run();
                }
                changed.await();
            }
            return null;
        } finally {
            lock.unlock();
        }
    }

    private void lowDone() {
        lock.lock();
        try {
            lowRunning--;
            changed.signal();
        } finally {
            lock.unlock();
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
                enqueue(new Entry(task, e.submittedNanos()));
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
        List<Entry> rest = new ArrayList<>();
        lock.lock();
        try {
            closed = true;
            rest.addAll(normal);
            rest.addAll(low);
            normal.clear();
            low.clear();
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        rest.forEach(e -> finish(e.task()));
        // Idle workers woke up above and leave. A worker inside a request is not interrupted (an
        // interrupt would close the cache file channels it writes to) unless it outlasts the wait.
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
