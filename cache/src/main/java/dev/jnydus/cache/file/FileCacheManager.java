package dev.jnydus.cache.file;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.jnydus.backend.BlobBackend;
import dev.jnydus.backend.Sleeper;
import dev.jnydus.cache.device.BlobDevice;
import dev.jnydus.cache.device.BlobInfo;
import dev.jnydus.cache.device.BlobcacheMetrics;
import dev.jnydus.cache.device.CacheManager;
import dev.jnydus.cache.device.CacheOptions;
import dev.jnydus.cache.device.CacheType;
import dev.jnydus.cache.device.CacheUsage;
import dev.jnydus.cache.device.ExternalBlobCache;
import dev.jnydus.cache.device.ExternalCacheFile;
import dev.jnydus.cache.meta.BlobMetaFile;
import dev.jnydus.cache.prefetch.PrefetchMetrics;
import dev.jnydus.cache.prefetch.PrefetchScheduler;
import dev.jnydus.cache.state.PersistedChunkMap;
import dev.jnydus.common.FsException;
import dev.jnydus.common.Ticker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * blobcache/filecache and dummycache: one cache entry per blob id, shared by the devices that use
 * it and closed when the last of them closes.
 *
 * <p>Space. Usage is the chunk data held: exact for open blobs (the ready chunks' sizes), and
 * for blobs on disk that no device uses, estimated from their chunk map (ready fraction times the
 * cache file size). When a limit is set and usage passes it, whole blobs that no device uses are
 * deleted, least recently used first (by the chunk map's modification time). Blobs in use are
 * never evicted, so usage may stay above the limit; {@link #usage()} shows it.
 */
public final class FileCacheManager implements CacheManager {
    /**
     * Fetches that may still be arriving after their readers got their chunks, per cache: each
     * holds up to {@code amplify_io} bytes while the thread that started it fetches again. A
     * process's memory budget counts them beside the threads that fetch readers' misses.
     */
    public static final int MAX_TAIL_FETCHES = 4;

    private static final Logger LOG = LoggerFactory.getLogger(FileCacheManager.class);
    /** The files that make up a blob's cache entry, in the order their age is looked up. */
    private static final List<String> ENTRY_SUFFIXES = List.of(CachedBlob.CHUNK_MAP_SUFFIX, FileChunkStore.DATA_SUFFIX,
            FileChunkStore.RAW_SUFFIX);

    /** What a backend without a timeout (local files) is given per read when a reader waits on it. */
    static final Duration UNBOUNDED_BACKEND_BUDGET = Duration.ofSeconds(60);
    static final Duration DECODE_AND_STORE_ALLOWANCE = Duration.ofSeconds(10);

    private final CacheOptions options;
    private final BlobBackend backend;
    private final Cache<ChunkKey, byte[]> hot;
    private final FileCacheMetrics metrics = new FileCacheMetrics();
    private final PrefetchMetrics prefetchMetrics = new PrefetchMetrics();
    private final PrefetchScheduler scheduler;
    private final Map<String, CachedBlob> open = new HashMap<>();
    private final Set<String> underlyingFiles = new LinkedHashSet<>();
    private final AtomicLong openBytes = new AtomicLong();
    private final AtomicBoolean evicting = new AtomicBoolean();
    private final Duration fetchWaitLimit;
    private final boolean streamsOnDemandFetches;
    private final FetchThreads fetchThreads = new FetchThreads();
    private volatile Map<String, Long> idleBytes = Map.of();
    private volatile FetchProbe probe = FetchProbe.NONE;
    private volatile boolean closed;

    private FileCacheManager(CacheOptions options, BlobBackend backend, Ticker ticker, Sleeper sleeper, Clock wallClock,
                             ThreadFactory threadFactory) {
        this.options = options;
        this.backend = backend;
        // Only where a blob's chunks are not served as slices of an uncompressed cache file (the
        // default blobcache, which never used it, built it at every start: ~50 ms of method-handle
        // set-up in Caffeine).
        this.hot = options.usesMemoryCache() ? hotCache(options.memoryCacheBytes()) : null;
        this.scheduler = new PrefetchScheduler(options.prefetch(), ticker, sleeper, wallClock, threadFactory,
                prefetchMetrics);
        this.fetchWaitLimit = waitLimit(backend.readTimeoutBudget().orElse(UNBOUNDED_BACKEND_BUDGET));
        this.streamsOnDemandFetches = backend.reportsProgress() && options.amplifyIo() > 0;
    }

    private static Cache<ChunkKey, byte[]> hotCache(long maximumBytes) {
        return Caffeine.newBuilder()
                .maximumWeight(maximumBytes)
                .weigher((ChunkKey k, byte[] v) -> v.length)
                .executor(Runnable::run)
                .build();
    }

    /**
     * How long a reader waits for a fetch another reader or a prefetch worker started: the
     * fetcher's one request plus, for chunks that fail validation, one refetch (each within the
     * backend's budget), plus time to decode and store what came back (as long as one request,
     * up to 10 s).
     */
    static Duration waitLimit(Duration backendBudget) {
        Duration allowance = backendBudget.compareTo(DECODE_AND_STORE_ALLOWANCE) < 0 ? backendBudget
                : DECODE_AND_STORE_ALLOWANCE;
        return backendBudget.multipliedBy(2).plus(allowance);
    }

    /** Used by {@link dev.jnydus.cache.device.CacheFactory}. */
    public static FileCacheManager create(CacheOptions options, BlobBackend backend, Ticker ticker, Sleeper sleeper,
                                          Clock wallClock, ThreadFactory threadFactory) throws IOException {
        if (options.type().isFileBacked() || (options.type() == CacheType.FSCACHE && options.workDir() != null)) {
            Files.createDirectories(options.workDir());
        }
        FileCacheManager m = new FileCacheManager(options, backend, ticker, sleeper, wallClock, threadFactory);
        // Only the space limit needs the idle blobs' sizes up front (usage() and evictUnused()
        // rescan); without one, start-up does not read every chunk map in work_dir.
        if (options.type().isFileBacked() && options.spaceLimitBytes() > 0) {
            m.rescanIdle();
            m.maybeEvict();
        }
        return m;
    }

    @Override
    public CacheOptions options() {
        return options;
    }

    BlobBackend backend() {
        return backend;
    }

    Cache<ChunkKey, byte[]> hotCache() {
        return hot;
    }

    FileCacheMetrics counters() {
        return metrics;
    }

    PrefetchMetrics prefetchMetrics() {
        return prefetchMetrics;
    }

    PrefetchScheduler scheduler() {
        return scheduler;
    }

    /**
     * Whether a reader's fetch runs on a {@linkplain #fetchThreads fetch thread}: when the backend
     * hands chunks out as they arrive and reads are amplified, so the reader need not wait for
     * the chunks it did not ask for.
     */
    boolean streamsOnDemandFetches() {
        return streamsOnDemandFetches;
    }

    FetchThreads fetchThreads() {
        return fetchThreads;
    }

    Duration fetchWaitLimit() {
        return fetchWaitLimit;
    }

    FetchProbe probe() {
        return probe;
    }

    /** Tests: observe or break fetches at each step. */
    void probe(FetchProbe p) {
        probe = p;
    }

    /** Chunks being fetched in all open blobs: 0 whenever no fetch is running. */
    synchronized int inflightCount() {
        int n = 0;
        for (CachedBlob b : open.values()) {
            n += b.inflightCount();
        }
        return n;
    }

    /**
     * Waits for the fetches under way now, the rest of a range a reader did not wait for among them,
     * to release their chunks; for tests that count the claims left.
     */
    void awaitInflight() throws FsException {
        List<CachedBlob> all;
        synchronized (this) {
            all = new ArrayList<>(open.values());
        }
        for (CachedBlob b : all) {
            b.awaitInflight();
        }
    }

    boolean isClosed() {
        return closed;
    }

    @Override
    public synchronized BlobDevice open(List<BlobInfo> blobs) throws IOException {
        if (closed) {
            throw new IllegalStateException("cache manager is closed");
        }
        if (options.type() == CacheType.FSCACHE) {
            throw new IllegalStateException("an fscache cache fills kernel cache files: use openExternal");
        }
        int max = -1;
        for (BlobInfo b : blobs) {
            max = Math.max(max, b.index());
        }
        CachedBlob[] byIndex = new CachedBlob[max + 1];
        List<CachedBlob> acquired = new ArrayList<>();
        List<BlobInfo> infos = new ArrayList<>();
        try {
            for (BlobInfo b : blobs) {
                if (byIndex[b.index()] != null) {
                    throw new IllegalArgumentException("blob index " + b.index() + " appears twice");
                }
                CachedBlob e = open.get(b.blobId());
                if (e == null) {
                    BlobInfo withTable = withChunkTable(b);
                    e = CachedBlob.open(this, withTable);
                    open.put(b.blobId(), e);
                    openBytes.addAndGet(e.cachedBytes());
                    Map<String, Long> idle = new HashMap<>(idleBytes);
                    idle.remove(b.blobId());
                    idleBytes = idle;
                    if (e.dataFileName() != null) {
                        underlyingFiles.add(e.dataFileName());
                    }
                }
                e.refs++;
                acquired.add(e);
                byIndex[b.index()] = e;
                infos.add(b.chunkTable() == null && e.info().chunkTable() != null
                        ? b.withChunkTable(e.info().chunkTable()) : b);
            }
        } catch (IOException | RuntimeException ex) {
            release(acquired.toArray(new CachedBlob[0]));
            throw ex;
        }
        // Named by blob ids: a BlobInfo's record toString costs a start ~100 ms of method-handle set-up.
        StringBuilder name = new StringBuilder("device");
        for (BlobInfo b : infos) {
            name.append(' ').append(b.blobId());
        }
        return new FileBlobDevice(this, infos, byIndex, scheduler.newGroup(name.toString()));
    }

    @Override
    public synchronized ExternalBlobCache openExternal(BlobInfo blob, ExternalCacheFile file) throws IOException {
        if (closed) {
            throw new IllegalStateException("cache manager is closed");
        }
        if (options.type() != CacheType.FSCACHE) {
            throw new IllegalStateException("external cache files need cache type fscache, not " + options.type().label());
        }
        BlobInfo info = withChunkTable(blob);
        if (info.chunkTable() == null) {
            throw new IOException("blob " + blob.blobId() + ": its chunk info table (blob meta) is unavailable, "
                    + "and fscache mode cannot place chunks without it");
        }
        CachedBlob e = CachedBlob.openExternal(this, info, file);
        e.refs++;
        openBytes.addAndGet(e.cachedBytes());
        CachedBlob[] byIndex = new CachedBlob[info.index() + 1];
        byIndex[info.index()] = e;
        FileBlobDevice device = new FileBlobDevice(this, List.of(info), byIndex,
                scheduler.newGroup("fscache " + file.name()));
        return new ExternalBlob(device, e);
    }

    /** Attaches the chunk table from the blob's {@code .blob.meta} when the caller gave none. */
    private BlobInfo withChunkTable(BlobInfo b) {
        boolean keepsMeta = options.type().isFileBacked() || (options.type() == CacheType.FSCACHE && options.workDir() != null);
        if (b.chunkTable() != null || b.meta() == null || !keepsMeta) {
            return b;
        }
        try {
            return b.withChunkTable(BlobMetaFile.load(options.workDir(), b, backend).table());
        } catch (IOException | RuntimeException e) {
            LOG.warn("blob {}: chunk info table unavailable ({}); reads will not be amplified", b.blobId(), e.toString());
            return b;
        }
    }

    synchronized void release(CachedBlob[] blobs) {
        for (CachedBlob e : blobs) {
            if (e == null) {
                continue;
            }
            e.refs--;
            if (e.refs == 0) {
                // An external blob is not in the map; another blob of the same id may be.
                open.remove(e.blobId(), e);
                openBytes.addAndGet(-e.cachedBytes());
                e.close();
                if (e.isFileBacked() && !e.isExternal()) {
                    Map<String, Long> idle = new HashMap<>(idleBytes);
                    idle.put(e.blobId(), e.cachedBytes());
                    idleBytes = idle;
                }
            }
        }
        maybeEvict();
    }

    /** Called when chunk data enters (positive) or leaves (negative) an open blob's cache. */
    void onCached(long delta) {
        openBytes.addAndGet(delta);
        if (delta > 0) {
            maybeEvict();
        }
    }

    private void maybeEvict() {
        long limit = options.spaceLimitBytes();
        if (limit == 0 || closed || !options.type().isFileBacked()) {
            return;
        }
        if (openBytes.get() + sum(idleBytes) > limit && !idleBytes.isEmpty() && evicting.compareAndSet(false, true)) {
            try {
                evictUnused();
            } finally {
                evicting.set(false);
            }
        }
    }

    private static long sum(Map<String, Long> m) {
        long n = 0;
        for (long v : m.values()) {
            n += v;
        }
        return n;
    }

    /** Re-reads what blobs not in use hold on disk. */
    private synchronized void rescanIdle() {
        Map<String, Long> idle = new HashMap<>();
        for (String id : blobsOnDisk()) {
            if (!open.containsKey(id)) {
                idle.put(id, estimateOnDisk(id));
            }
        }
        idleBytes = idle;
    }

    private Set<String> blobsOnDisk() {
        Set<String> ids = new LinkedHashSet<>();
        try (Stream<Path> s = Files.list(options.workDir())) {
            s.forEach(p -> {
                String n = p.getFileName().toString();
                for (String suffix : ENTRY_SUFFIXES) {
                    if (n.endsWith(suffix) && n.length() > suffix.length()) {
                        ids.add(n.substring(0, n.length() - suffix.length()));
                        break;
                    }
                }
            });
        } catch (IOException e) {
            LOG.warn("cannot list cache directory {}: {}", options.workDir(), e.toString());
        }
        return ids;
    }

    /** Ready fraction of the chunk map times the cache file size; the whole file without a map. */
    private long estimateOnDisk(String id) {
        Path dir = options.workDir();
        long dataSize = sizeOf(dir.resolve(id + FileChunkStore.DATA_SUFFIX)) + sizeOf(dir.resolve(id + FileChunkStore.RAW_SUFFIX));
        Path mapPath = dir.resolve(id + CachedBlob.CHUNK_MAP_SUFFIX);
        if (!Files.isRegularFile(mapPath)) {
            return dataSize;
        }
        try {
            return PersistedChunkMap.scaleByReady(mapPath, dataSize);
        } catch (IOException e) {
            return dataSize;
        }
    }

    private static long sizeOf(Path p) {
        try {
            return Files.isRegularFile(p) ? Files.size(p) : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    private static long lastUsed(Path dir, String id) {
        for (String suffix : ENTRY_SUFFIXES) {
            try {
                Path p = dir.resolve(id + suffix);
                if (Files.exists(p)) {
                    return Files.getLastModifiedTime(p).toMillis();
                }
            } catch (IOException e) {
                // try the next file
            }
        }
        return 0;
    }

    @Override
    public synchronized int evictUnused() {
        if (!options.type().isFileBacked()) {
            return 0;
        }
        rescanIdle();
        long limit = options.spaceLimitBytes();
        if (limit == 0) {
            return 0;
        }
        long total = openBytes.get() + sum(idleBytes);
        List<String> candidates = new ArrayList<>(idleBytes.keySet());
        // Each file's age is read once, not on every comparison (a file touched mid-sort would
        // also make the order inconsistent).
        Map<String, Long> lastUsed = new HashMap<>();
        for (String id : candidates) {
            lastUsed.put(id, lastUsed(options.workDir(), id));
        }
        candidates.sort(Comparator.comparingLong((String id) -> lastUsed.get(id)).thenComparing(id -> id));
        int evicted = 0;
        for (String id : candidates) {
            if (total <= limit) {
                break;
            }
            long bytes = idleBytes.getOrDefault(id, 0L);
            if (deleteFiles(id)) {
                total -= bytes;
                evicted++;
                LOG.info("evicted blob {} ({} bytes) from the cache: usage over the limit of {} bytes", id, bytes, limit);
            }
        }
        if (evicted > 0) {
            rescanIdle();
        }
        return evicted;
    }

    @Override
    public synchronized boolean remove(String blobId) {
        if (open.containsKey(blobId) || !options.type().isFileBacked()) {
            return false;
        }
        boolean removed = deleteFiles(blobId);
        rescanIdle();
        return removed;
    }

    /** Deletes every cache file of a blob (never the bare {@code <blob_id>}: with --localfs-dir it is the blob). */
    private boolean deleteFiles(String id) {
        boolean any = false;
        List<String> suffixes = new ArrayList<>(ENTRY_SUFFIXES);
        suffixes.addAll(List.of(BlobMetaFile.SUFFIX, ".blob.digest", ".blob.toc"));
        for (String suffix : suffixes) {
            try {
                any |= Files.deleteIfExists(options.workDir().resolve(id + suffix));
            } catch (IOException e) {
                LOG.warn("cannot delete cache file {}{}: {}", id, suffix, e.toString());
            }
        }
        try {
            UnsyncedMarkers.removeAll(options.workDir(), id);
        } catch (IOException e) {
            LOG.warn("cannot delete the markers of cache entry {}: {}", id, e.toString());
        }
        if (hot != null) {
            hot.asMap().keySet().removeIf(k -> k.blobId().equals(id));
        }
        return any;
    }

    @Override
    public synchronized CacheUsage usage() {
        if (options.type().isFileBacked()) {
            rescanIdle();
        }
        List<CacheUsage.BlobUsage> list = new ArrayList<>();
        long total = 0;
        for (CachedBlob e : open.values()) {
            list.add(new CacheUsage.BlobUsage(e.blobId(), e.cachedBytes(), true));
            total += e.cachedBytes();
        }
        for (Map.Entry<String, Long> e : idleBytes.entrySet()) {
            list.add(new CacheUsage.BlobUsage(e.getKey(), e.getValue(), false));
            total += e.getValue();
        }
        list.sort(Comparator.comparingLong(CacheUsage.BlobUsage::bytes).reversed().thenComparing(CacheUsage.BlobUsage::blobId));
        return new CacheUsage(total, options.spaceLimitBytes(), list);
    }

    @Override
    public synchronized BlobcacheMetrics metrics() {
        boolean allReady = !open.isEmpty();
        for (CachedBlob e : open.values()) {
            allReady &= e.isAllReady();
        }
        long begin = prefetchMetrics.beginEpochMillis();
        long end = prefetchMetrics.endEpochMillis();
        return new BlobcacheMetrics(
                new ArrayList<>(underlyingFiles),
                options.workDir() == null ? "" : options.workDir().toString(),
                metrics.partialHits.sum(),
                metrics.wholeHits.sum(),
                metrics.total.sum(),
                metrics.entriesCount.sum(),
                prefetchMetrics.dataAmount(),
                prefetchMetrics.requestsCount(),
                prefetchMetrics.workers(),
                prefetchMetrics.unmergedChunks(),
                prefetchMetrics.cumulativeTimeMillis(),
                begin / 1000, begin % 1000,
                end / 1000, end % 1000,
                metrics.bufferedBackendSize.sum(),
                allReady);
    }

    @Override
    public void close() {
        List<CachedBlob> all;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            all = new ArrayList<>(open.values());
            open.clear();
        }
        scheduler.close();
        fetchThreads.close();
        for (CachedBlob e : all) {
            e.close();
        }
    }
}
