package dev.jnydus.fuse.transport.dev;

import dev.jnydus.common.FsException;
import dev.jnydus.fuse.server.Server;
import dev.jnydus.sys.ThreadWake;
import dev.jnydus.sys.Threads;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a {@link Server} on N threads over one {@link FuseSession}, each thread with its own
 * duplicate of the session descriptor ({@link DevFuseChannel}, which says why not a clone) and its
 * own pair of direct buffers.
 *
 * <p>Workers end when the session ends (unmount or abort: the device answers ENODEV) or when
 * {@link #stop} wakes them; stopping leaves the mount and the session descriptor alone, so a
 * successor (or a new pool) can serve the same connection. {@link #termination()} completes when
 * the last worker exited, exceptionally if one failed.
 */
public final class FuseWorkers implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FuseWorkers.class);

    /** How long stopped workers wait for the answers still to come before closing their descriptors. */
    public static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(4);

    /** Worker threads nydusd starts when not told otherwise ({@code --fuse-threads}). */
    public static final int DEFAULT_THREADS = 4;

    private final Waker waker;
    private final List<Thread> threads;
    /** Kernel ids of the workers still running, for interrupting their reads at a stop. */
    private final Set<Integer> workerTids = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean interrupting = new AtomicBoolean();
    private final CompletableFuture<Void> termination = new CompletableFuture<>();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    private FuseWorkers(Waker waker, List<Thread> threads) {
        this.waker = waker;
        this.threads = threads;
    }

    /** Starts {@code count} workers on daemon threads named {@code fuse-worker-N}. */
    public static FuseWorkers start(FuseSession session, Server server, int count) throws IOException {
        AtomicInteger n = new AtomicInteger();
        return start(session, server, count, r -> {
            Thread t = new Thread(r, "fuse-worker-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Opens one channel per worker (so a failure is reported here, before any thread runs), then
     * starts the threads from {@code threadFactory}.
     *
     * @param count 1..1024, as nydusd's {@code --fuse-threads}
     */
    public static FuseWorkers start(FuseSession session, Server server, int count, ThreadFactory threadFactory)
            throws IOException {
        Objects.requireNonNull(session, "session");
        Objects.requireNonNull(server, "server");
        if (count < 1 || count > 1024) {
            throw new IllegalArgumentException("worker count must be 1..1024, got " + count);
        }
        Waker waker = new Waker(blockingReadsAvailable());
        List<DevFuseChannel> channels = new ArrayList<>();
        try {
            for (int i = 0; i < count; i++) {
                channels.add(DevFuseChannel.dup(session.fd(), waker));
            }
        } catch (IOException | RuntimeException e) {
            channels.forEach(DevFuseChannel::close);
            waker.close();
            throw e;
        }
        List<Thread> threads = new ArrayList<>();
        AtomicInteger alive = new AtomicInteger(count);
        FuseWorkers pool = new FuseWorkers(waker, threads);
        for (DevFuseChannel ch : channels) {
            Thread t = threadFactory.newThread(() -> pool.run(server, ch, alive));
            if (t == null) {
                throw new IllegalStateException("thread factory returned null");
            }
            threads.add(t);
        }
        threads.forEach(Thread::start);
        LOG.info("started {} FUSE workers for {}", count, session);
        return pool;
    }

    /** Whether workers can sleep in read(2): only if a stop can interrupt them (ThreadWake). */
    private static boolean blockingReadsAvailable() {
        try {
            ThreadWake.install();
            return true;
        } catch (FsException | RuntimeException | LinkageError e) {
            LOG.info("FUSE workers wait in epoll: cannot install the signal that wakes them ({})", e.toString());
            return false;
        }
    }

    private void run(Server server, DevFuseChannel channel, AtomicInteger alive) {
        WorkerBuffers buffers = null;
        Integer tid = null;
        try {
            if (waker.blockingReads()) {
                tid = Threads.currentTid();
                workerTids.add(tid);
            }
            buffers = WorkerBuffers.of(server.bufferSize());
            server.serve(channel, buffers.request(), buffers.reply());
            if (tid != null) {
                // Out of read(2) for good: the drain below waits in Java, nothing to interrupt.
                workerTids.remove(tid);
            }
            if (waker.isWoken()) {
                drain(server);
            }
            LOG.debug("FUSE worker on fd {} exits", channel.fdNumber());
        } catch (Throwable t) {
            LOG.error("FUSE worker on fd {} failed", channel.fdNumber(), t);
            failure.compareAndSet(null, t);
            // One worker failing means the daemon cannot be trusted to answer: stop the others too.
            wakeQuietly();
        } finally {
            if (tid != null) {
                workerTids.remove(tid);
            }
            if (buffers != null) {
                buffers.close();
            }
            channel.close();
            if (alive.decrementAndGet() == 0) {
                waker.close();
                Throwable f = failure.get();
                if (f == null) {
                    termination.complete(null);
                } else {
                    termination.completeExceptionally(f);
                }
            }
        }
    }

    /**
     * A stopped pool answers what it took before it lets go of its descriptors: requests answered
     * later go out through the channel that received them. What is still pending after
     * {@link #DRAIN_TIMEOUT} stays with the session's file, for a successor to have resent.
     */
    private static void drain(Server server) {
        try {
            if (!server.awaitDeferred(DRAIN_TIMEOUT)) {
                LOG.warn("{} FUSE requests still unanswered {} ms after the workers were stopped; they stay with "
                        + "the session", server.deferredRequests(), DRAIN_TIMEOUT.toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void wakeQuietly() {
        try {
            waker.wake();
        } catch (FsException e) {
            LOG.warn("cannot wake FUSE workers: {}", e.getMessage());
        }
    }

    /** Completes when every worker has exited; exceptionally with the first worker failure. */
    public CompletableFuture<Void> termination() {
        return termination;
    }

    public boolean isRunning() {
        return !termination.isDone();
    }

    /** Waits for all workers to exit; returns false on timeout. */
    public boolean awaitTermination(Duration timeout) throws InterruptedException {
        try {
            termination.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            return false;
        } catch (java.util.concurrent.ExecutionException e) {
            return true;
        }
        return true;
    }

    /**
     * Asks all workers to exit after the request each is handling, without unmounting; requests
     * still queued in the kernel stay there for whoever serves the session next. The workers first
     * wait (up to {@link #DRAIN_TIMEOUT}) for the answers to requests they took that come later
     * ({@link Server#deferredRequests}); any left then stay with the session's file, since the
     * workers read from duplicates of it, for a successor to have resent. Returns at once; see
     * {@link #awaitTermination}.
     */
    public void stop() {
        if (isRunning()) {
            wakeQuietly();
            if (waker.blockingReads() && interrupting.compareAndSet(false, true)) {
                Thread t = new Thread(this::interruptReads, "fuse-workers-stop");
                t.setDaemon(true);
                t.start();
            }
        }
    }

    /**
     * Sends each worker still running the wake-up signal until all have exited (or 10 s): a signal
     * that lands just before a worker enters read(2) is lost, so it is sent again; one that lands
     * while a worker handles a request interrupts nothing (the kernel retries waits, and reads of
     * regular files are not interrupted).
     */
    private void interruptReads() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (isRunning() && System.nanoTime() < deadline) {
            for (Integer tid : workerTids) {
                try {
                    ThreadWake.wake(tid);
                } catch (FsException | RuntimeException e) {
                    LOG.warn("cannot interrupt FUSE worker {}: {}", tid, e.getMessage());
                    return;
                }
            }
            try {
                termination.get(2, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                // still running: send again
            } catch (java.util.concurrent.ExecutionException e) {
                return;
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** The first unexpected worker failure, if any. */
    public Throwable failure() {
        return failure.get();
    }

    /** Number of worker threads started. */
    public int size() {
        return threads.size();
    }

    /**
     * Stops the workers and waits for them (up to 10 s). The session is left as it is. An interrupt
     * ends the wait early and stays set on the calling thread.
     */
    @Override
    public void close() {
        stop();
        try {
            if (!awaitTermination(Duration.ofSeconds(10))) {
                LOG.warn("FUSE workers did not stop within 10 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
