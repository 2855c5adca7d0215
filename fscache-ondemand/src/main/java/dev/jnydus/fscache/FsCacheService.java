package dev.jnydus.fscache;

import dev.jnydus.common.Errno;
import dev.jnydus.common.FsException;
import dev.jnydus.fscache.cachefiles.CachefilesChannel;
import dev.jnydus.fscache.cachefiles.CachefilesMessage;
import dev.jnydus.fscache.cachefiles.CachefilesProtocolException;
import dev.jnydus.fscache.cachefiles.MessageCodec;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fscache daemon's request loop ({@code --fscache-threads} workers, upstream's
 * {@code FsCacheHandler}). The workers share the device: one at a time polls it (under a lock) and
 * reads one message, then lets go of the lock and answers the message itself while the next worker
 * reads, so requests for different objects are answered concurrently. Copying bootstraps, creating
 * blob caches and prefetch run on further threads.
 *
 * <p>Life cycle, as the daemon's state machine drives it: {@link #create} (the device is bound:
 * READY), {@link #startWorkers()} (RUNNING), {@link #stopWorkers()} (back to READY: nothing is
 * answered, the objects and the device stay open), {@link #close()}. The service owns the channel:
 * {@link #close()} closes it, which kills the kernel's cache unless another process (a supervisor,
 * a new daemon taking over) holds a duplicate of the device.
 */
public final class FsCacheService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FsCacheService.class);
    public static final int DEFAULT_THREADS = 4;
    static final Duration STOP_WAIT = Duration.ofSeconds(10);

    private final CachefilesChannel channel;
    private final RequestHandler handler;
    private final ExecutorService background;
    private final ReentrantLock pollLock = new ReentrantLock();
    private final int threads;
    private final ThreadFactory workerThreads;
    private final List<Thread> workers = new ArrayList<>();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private boolean started;
    private volatile boolean stopping;
    private volatile boolean closed;
    private volatile Throwable failure;

    private FsCacheService(CachefilesChannel channel, BlobCacheEntries entries, int threads,
                           ThreadFactory workerThreads, ExecutorService background) {
        this.channel = channel;
        this.threads = threads;
        this.workerThreads = workerThreads;
        this.background = background;
        this.handler = new RequestHandler(channel, entries, background);
    }

    /**
     * Starts {@code threads} workers on {@code channel}, answering from {@code entries}. Takes
     * ownership of the channel.
     */
    public static FsCacheService start(CachefilesChannel channel, BlobCacheEntries entries, int threads) {
        return start(channel, entries, threads, daemonThreads("fscache-worker-"), daemonThreads("fscache-bg-"));
    }

    /** As {@link #start(CachefilesChannel, BlobCacheEntries, int)}, with the threads' factories given. */
    public static FsCacheService start(CachefilesChannel channel, BlobCacheEntries entries, int threads,
                                       ThreadFactory workerThreads, ThreadFactory backgroundThreads) {
        FsCacheService s = create(channel, entries, threads, workerThreads, backgroundThreads);
        s.startWorkers();
        return s;
    }

    /**
     * The service on {@code channel}, not serving yet ({@link #startWorkers()}): the daemon's state
     * machine binds the device (READY) before it starts the workers (RUNNING). Takes ownership of
     * the channel.
     */
    public static FsCacheService create(CachefilesChannel channel, BlobCacheEntries entries, int threads) {
        return create(channel, entries, threads, daemonThreads("fscache-worker-"), daemonThreads("fscache-bg-"));
    }

    /** As {@link #create(CachefilesChannel, BlobCacheEntries, int)}, with the threads' factories given. */
    public static FsCacheService create(CachefilesChannel channel, BlobCacheEntries entries, int threads,
                                        ThreadFactory workerThreads, ThreadFactory backgroundThreads) {
        if (threads < 1 || threads > 1024) {
            throw new IllegalArgumentException("fscache threads " + threads + " is outside 1..1024");
        }
        return new FsCacheService(channel, entries, threads, workerThreads,
                Executors.newCachedThreadPool(backgroundThreads));
    }

    /**
     * Starts the workers. Once only: {@link CachefilesChannel#wakeup()}, which stops them, wakes
     * every later poll too.
     *
     * @throws IllegalStateException when the workers were started before, or the service is closed
     */
    public synchronized void startWorkers() {
        if (closed || started) {
            throw new IllegalStateException(closed ? "the fscache service is closed"
                    : "the fscache workers were started before and cannot be started again");
        }
        started = true;
        for (int i = 0; i < threads; i++) {
            workers.add(workerThreads.newThread(this::work));
        }
        for (Thread t : workers) {
            t.start();
        }
        LOG.info("fscache: serving with {} worker threads", threads);
    }

    private static ThreadFactory daemonThreads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + n.getAndIncrement());
            t.setDaemon(true);
            return t;
        };
    }

    private void work() {
        ByteBuffer buf = ByteBuffer.allocateDirect(MessageCodec.MAX_SIZE);
        try {
            while (!stopping) {
                CachefilesMessage m = next(buf);
                if (m != null) {
                    handler.handle(m);
                }
            }
        } catch (FsException e) {
            if (!stopping) {
                failure = e;
                LOG.error("fscache: the device failed, no more requests are served: {}", e.getMessage());
                stopping = true;
                channel.wakeup();
                stopped.countDown();
            }
        } catch (RuntimeException | Error e) {
            LOG.error("fscache: worker {} died", Thread.currentThread().getName(), e);
            failure = e;
            stopping = true;
            channel.wakeup();
            stopped.countDown();
        }
    }

    /** Polls (one worker at a time) until a message arrives or the service stops; null when stopping. */
    private CachefilesMessage next(ByteBuffer buf) throws FsException {
        pollLock.lock();
        try {
            while (!stopping) {
                buf.clear();
                int n = channel.read(buf);
                if (n > 0) {
                    buf.flip();
                    try {
                        return MessageCodec.decode(buf);
                    } catch (CachefilesProtocolException e) {
                        handler.malformed(e);
                        continue;
                    }
                }
                channel.await(-1);
            }
            return null;
        } catch (FsException e) {
            if (e.errno() == Errno.EBADF && stopping) {
                return null;
            }
            throw e;
        } finally {
            pollLock.unlock();
        }
    }

    /** Request counters since start. */
    public FsCacheStats stats() {
        return handler.stats();
    }

    /** Why the service stopped serving on its own (the device died), or null. */
    public Throwable failure() {
        return failure;
    }

    /** Returns once the service stopped serving: closed, or the device or a worker failed. */
    public void awaitTermination() throws InterruptedException {
        stopped.await();
    }

    /** Whether the workers are running (false before they start, once stopped, or after the device failed). */
    public synchronized boolean isServing() {
        return started && !stopping;
    }

    /**
     * Stops the workers; requests being answered finish (for at most {@link #STOP_WAIT}). The
     * cache objects and the device stay open, so the kernel's cache lives on: a successor taking
     * the device over (through a supervisor's duplicate) serves the mounted images. Idempotent.
     */
    public void stopWorkers() {
        List<Thread> joining;
        synchronized (this) {
            stopping = true;
            channel.wakeup();
            joining = List.copyOf(workers);
            workers.clear();
        }
        long deadline = System.nanoTime() + STOP_WAIT.toNanos();
        for (Thread t : joining) {
            try {
                t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            if (t.isAlive()) {
                LOG.warn("fscache: worker {} did not stop within {}", t.getName(), STOP_WAIT);
            }
        }
    }

    /**
     * Stops the workers (requests being answered finish), closes the cache objects and the channel.
     * Idempotent.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        stopWorkers();
        handler.closeAll();
        background.shutdownNow();
        // An object still being set up in the background closes when that work lets go of it:
        // wait, so that a closed service has closed every object fd.
        try {
            if (!background.awaitTermination(STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warn("fscache: background work did not stop within {}", STOP_WAIT);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        channel.close();
        stopped.countDown();
        FsCacheStats st = handler.stats();
        LOG.info("fscache: stopped after {} OPEN ({} refused), {} READ ({} failed, {} bytes), {} CLOSE", st.opens(),
                st.openFailures(), st.reads(), st.readFailures(), st.readBytes(), st.closes());
    }
}
