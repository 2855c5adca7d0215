package dev.jnydus.daemon;

import dev.jnydus.cache.device.CacheOptions;
import dev.jnydus.cache.device.CacheType;
import dev.jnydus.cache.device.PrefetchOptions;
import dev.jnydus.cache.file.FileCacheManager;
import dev.jnydus.daemon.cli.StartupException;
import dev.jnydus.fuse.server.Server;
import dev.jnydus.rafs.metadata.BlobInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Checks, before anything is mounted, that the I/O buffers the configuration asks for fit in the
 * JVM's memory, so that a value upstream accepts but this process cannot hold (1,024 FUSE threads,
 * a 256 MiB {@code amplify_io}) stops the start with one line quoting the numbers, instead of an
 * OutOfMemoryError later in the read path. Upstream's ranges stay the outer bound: the
 * configuration and the command line check those.
 *
 * <p>The model (what the read path allocates today):
 * <ul>
 *   <li>direct memory: each FUSE worker owns a request and a reply buffer of
 *       {@code max_pages × 4 KiB + 4 KiB} (2 MiB a worker with the default 256 pages); each thread
 *       that fetches (a FUSE worker on a miss, a prefetch worker) reads and writes heap arrays
 *       through a channel, and the JDK keeps a temporary direct buffer of the largest such
 *       transfer per thread;</li>
 *   <li>heap: each fetch holds the bytes fetched (up to {@code amplify_io}, or the prefetch
 *       {@code merging_size}) and their decoded copies, about twice the window; the chunk memory
 *       cache holds up to its bound where it is used (dummycache, a cache of compressed chunks).
 *       Readers' misses are fetched by the threads that wait for the backend (FUSE: the image's
 *       fetch pool, not the workers; fanotify: the fill workers), and with a blob cache up to
 *       {@link FileCacheManager#MAX_TAIL_FETCHES} more fetches may still be arriving behind
 *       readers already answered.</li>
 * </ul>
 * The I/O buffers may take three quarters of each limit; the rest is for the metadata, the chunk
 * maps, the API server and the collector's headroom.
 */
public final class StartupLimits {
    /** The chunk size assumed for a fetch when amplification is off: the default RAFS chunk. */
    static final long DEFAULT_CHUNK = 1 << 20;

    /**
     * What the configuration asks for.
     *
     * @param fuseThreads FUSE workers, each with its own direct buffers
     * @param workerDirectBytes direct bytes one FUSE worker holds
     * @param onDemandFetchers fetches of readers' misses that may be under way at once
     * @param fetchWindow bytes one on-demand fetch holds ({@code amplify_io}, at least a chunk)
     * @param prefetchThreads prefetch workers, 0 when prefetch is off
     * @param prefetchWindow bytes one prefetch request holds ({@code merging_size})
     * @param memoryCacheBytes bound of the in-memory chunk cache, 0 when the cache does not use it
     *     ({@link CacheOptions#usesMemoryCache()})
     */
    public record Demand(int fuseThreads, long workerDirectBytes, int onDemandFetchers, long fetchWindow,
                         int prefetchThreads, long prefetchWindow, long memoryCacheBytes) {

        /**
         * The demand of {@code fuseThreads} FUSE workers whose misses {@code missThreads} threads
         * fetch, over a cache with {@code options}.
         */
        public static Demand of(int fuseThreads, int missThreads, CacheOptions options) {
            PrefetchOptions p = options.prefetch();
            long worker = 2L * ((long) Server.DEFAULT_MAX_PAGES * 4096 + Server.HEADER_ROOM);
            int tails = options.type() == CacheType.DUMMYCACHE ? 0 : FileCacheManager.MAX_TAIL_FETCHES;
            return new Demand(fuseThreads, worker, missThreads + tails, Math.max(options.amplifyIo(), DEFAULT_CHUNK),
                    p.enable() ? p.threadsCount() : 0, p.enable() ? p.effectiveMergingSize() : 0,
                    options.usesMemoryCache() ? options.memoryCacheBytes() : 0);
        }

        long fetchBytes() {
            return (long) onDemandFetchers * fetchWindow + (long) prefetchThreads * prefetchWindow;
        }

        long direct() {
            return (long) fuseThreads * workerDirectBytes + fetchBytes();
        }

        long heap() {
            return memoryCacheBytes + 2 * fetchBytes();
        }
    }

    private StartupLimits() {
    }

    /** Refuses a demand that does not fit in {@code budget}, with every number in the message. */
    public static void check(Demand d, MemoryBudget budget) throws StartupException {
        List<String> over = new ArrayList<>();
        if (d.direct() > allowed(budget.maxDirect())) {
            over.add(String.format(Locale.ROOT, "direct memory %s (%d FUSE threads x %s of request buffers + %s for blob"
                    + " I/O) is over 3/4 of the %s limit (-XX:MaxDirectMemorySize, by default -Xmx)",
                    size(d.direct()), d.fuseThreads(), size(d.workerDirectBytes()), fetches(d), size(budget.maxDirect())));
        }
        if (d.heap() > allowed(budget.maxHeap())) {
            String memoryCache = d.memoryCacheBytes() > 0 ? size(d.memoryCacheBytes()) + " chunk memory cache + " : "";
            over.add(String.format(Locale.ROOT, "heap %s (%s2 x (%s)) is over 3/4 of the %s heap limit (-Xmx)",
                    size(d.heap()), memoryCache, fetches(d), size(budget.maxHeap())));
        }
        if (!over.isEmpty()) {
            throw new StartupException("the configuration needs more memory than this JVM may use: "
                    + String.join("; ", over) + ". Lower --fuse-threads, amplify_io (rafs.batch_size) or the "
                    + "prefetch threads and merging size, or raise the limits in JNYDUS_JAVA_OPTS");
        }
    }

    /**
     * Refuses an image whose blobs claim more chunks than the cache can track: it keeps one
     * readiness bit per chunk of every blob in the heap, and a blob table may claim up to 2^24
     * chunks for each of 65,536 blobs. Those bits may take an eighth of the heap.
     */
    public static void checkChunkMaps(List<BlobInfo> blobs, long maxHeap) throws StartupException {
        long chunks = 0;
        for (BlobInfo b : blobs) {
            chunks += Math.max(0, b.chunkCount());
        }
        long bytes = (chunks + 7) / 8;
        if (bytes > maxHeap / 8) {
            throw new StartupException(String.format(Locale.ROOT, "the image's %d blobs claim %d chunks in all, whose"
                    + " readiness maps need %s of heap, over 1/8 of the %s heap limit (-Xmx)", blobs.size(), chunks,
                    size(bytes), size(maxHeap)));
        }
    }

    private static String fetches(Demand d) {
        String s = d.onDemandFetchers() + " x " + size(d.fetchWindow()) + " amplify_io";
        if (d.prefetchThreads() > 0) {
            s += " + " + d.prefetchThreads() + " prefetch threads x " + size(d.prefetchWindow()) + " merging size";
        }
        return s;
    }

    private static long allowed(long limit) {
        return limit / 4 * 3;
    }

    static String size(long bytes) {
        if (bytes >= 1L << 30) {
            return String.format(Locale.ROOT, "%.1f GiB", bytes / (double) (1L << 30));
        }
        if (bytes >= 1L << 20) {
            return String.format(Locale.ROOT, "%.1f MiB", bytes / (double) (1L << 20));
        }
        return String.format(Locale.ROOT, "%.1f KiB", bytes / 1024.0);
    }
}
