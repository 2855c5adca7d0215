package dev.jnydus.cache.file;

import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Threads that run readers' fetches from a backend that hands out chunks as their bytes arrive:
 * the reader waits only for its own chunks, and goes back to the kernel while the rest of the
 * amplified range is still on the wire and being stored. A thread is made when one is needed and
 * ends after a while idle; when all are busy (or they are closed) the reader runs the fetch
 * itself, as it would without them.
 */
final class FetchThreads implements AutoCloseable {
    /**
     * Ranges still arriving behind their readers at once, at most: each holds its bytes and their
     * decoded chunks on the heap, and the threads that handed them over may start new fetches
     * meanwhile ({@link FileCacheManager#MAX_TAIL_FETCHES}, which the start-up memory check
     * counts). Beyond, readers fetch inline and wait for the whole range.
     */
    private static final int MAX_THREADS = FileCacheManager.MAX_TAIL_FETCHES;

    private final ThreadPoolExecutor pool;

    FetchThreads() {
        AtomicInteger n = new AtomicInteger();
        pool = new ThreadPoolExecutor(0, MAX_THREADS, 30, TimeUnit.SECONDS, new SynchronousQueue<>(), r -> {
            Thread t = new Thread(r, "nydus-fetch-" + n.getAndIncrement());
            t.setDaemon(true);
            return t;
        }, (r, executor) -> r.run());
    }

    /** Runs {@code fetch} on a fetch thread, or on the caller's when none is free. */
    void run(Runnable fetch) {
        pool.execute(fetch);
    }

    @Override
    public void close() {
        pool.shutdown();
    }
}
