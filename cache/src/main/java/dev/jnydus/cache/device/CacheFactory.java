package dev.jnydus.cache.device;

import dev.jnydus.backend.BlobBackend;
import dev.jnydus.backend.Sleeper;
import dev.jnydus.cache.file.FileCacheManager;
import dev.jnydus.common.Ticker;
import java.io.IOException;
import java.time.Clock;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Builds a {@link CacheManager}. Time, sleeping and threads are injected; the defaults are the
 * real ones, and only the daemon (and tests) should choose others.
 */
public final class CacheFactory {
    private final CacheOptions options;
    private final BlobBackend backend;
    private Ticker ticker = Ticker.system();
    private Sleeper sleeper = Sleeper.system();
    private Clock wallClock = Clock.systemUTC();
    private ThreadFactory threadFactory;

    private CacheFactory(CacheOptions options, BlobBackend backend) {
        this.options = options;
        this.backend = backend;
    }

    public static CacheFactory builder(CacheOptions options, BlobBackend backend) {
        if (options == null || backend == null) {
            throw new IllegalArgumentException("cache options and backend are required");
        }
        return new CacheFactory(options, backend);
    }

    public CacheFactory ticker(Ticker v) {
        ticker = v;
        return this;
    }

    /** Used by the prefetch bandwidth limiter. */
    public CacheFactory sleeper(Sleeper v) {
        sleeper = v;
        return this;
    }

    /** Source of the wall-clock times in the metrics. */
    public CacheFactory wallClock(Clock v) {
        wallClock = v;
        return this;
    }

    /** Creates the prefetch worker threads; by default daemon threads named {@code nydus-prefetch-N}. */
    public CacheFactory threadFactory(ThreadFactory v) {
        threadFactory = v;
        return this;
    }

    /**
     * Creates the manager (and its work_dir). An fscache manager keeps only {@code .blob.meta}
     * files in its work_dir and opens blobs over the kernel's cache files
     * ({@link CacheManager#openExternal}).
     */
    public CacheManager build() throws IOException {
        ThreadFactory tf = threadFactory != null ? threadFactory : prefetchThreads();
        return FileCacheManager.create(options, backend, ticker, sleeper, wallClock, tf);
    }

    /**
     * The default prefetch worker threads: daemon threads named {@code nydus-prefetch-N}, one
     * notch below normal priority. For a caller that wraps them ({@link #threadFactory}).
     */
    public static ThreadFactory prefetchThreads() {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, "nydus-prefetch-" + n.getAndIncrement());
            t.setDaemon(true);
            t.setPriority(Thread.NORM_PRIORITY - 1);
            return t;
        };
    }
}
