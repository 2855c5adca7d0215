package dev.jnydus.cache.file;

import com.github.benmanes.caffeine.cache.Cache;
import dev.jnydus.backend.BlobBackend;
import dev.jnydus.backend.BlobReader;
import dev.jnydus.backend.RequestSource;
import dev.jnydus.backend.codec.ChunkCodec;
import dev.jnydus.backend.codec.ChunkDigest;
import dev.jnydus.cache.device.BlobInfo;
import dev.jnydus.cache.device.CacheOptions;
import dev.jnydus.cache.device.ChunkInfo;
import dev.jnydus.cache.device.ChunkSink;
import dev.jnydus.cache.device.ChunkSlice;
import dev.jnydus.cache.device.ChunkTable;
import dev.jnydus.cache.device.ExternalCacheFile;
import dev.jnydus.cache.state.ChunkMap;
import dev.jnydus.cache.state.PersistedChunkMap;
import dev.jnydus.common.BlobFeatures;
import dev.jnydus.common.ChunkFlags;
import dev.jnydus.common.Errno;
import dev.jnydus.common.Errors;
import dev.jnydus.common.FsException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cache of one blob, shared by every device that uses it: the cache file, the chunk map, the
 * backend reader and the table of chunks being fetched.
 *
 * <p>Single flight. A chunk is fetched only by the thread that claims it: the claim is a future
 * put into {@code inflight} with {@code putIfAbsent}; everyone else who needs the chunk waits on
 * that future. The owner completes it (with data or an error), stores the chunk, marks it ready,
 * and only then removes the claim, so that a chunk is always either ready, claimed, or neither
 * (and then safe to claim). A thread executes all its claims before it waits on anyone else's,
 * so two readers can never wait on each other.
 *
 * <p>Readers and prefetch. Prefetch claims only chunks nobody holds and never waits; a reader
 * needing a chunk that a prefetch request holds waits for that one request, which is already on
 * the wire (the limiter runs before the claim). If that request fails, the reader fetches the
 * chunk itself once before reporting EIO.
 *
 * <p>Validation. A chunk is checked when it carries a CRC32, when {@code digest_validate} is on
 * and it has a digest, and always when readiness is not persisted (then the cache file may hold
 * anything). Data that fails is refetched once; if the refetch fails too the read fails with
 * EIO. Bad data is never handed out or stored, and a cached chunk that fails is marked not ready.
 */
final class CachedBlob {
    private static final Logger LOG = LoggerFactory.getLogger(CachedBlob.class);

    static final String CHUNK_MAP_SUFFIX = FileChunkStore.DATA_SUFFIX + PersistedChunkMap.SUFFIX;
    /** What a fill learns of a chunk that was already ready in a write-only file: nothing. */
    private static final byte[] NOT_READ = new byte[0];

    private final FileCacheManager mgr;
    private final CacheOptions options;
    private final BlobInfo info;
    private final String blobId;
    private final ChunkStore store;
    private final ChunkMap map;
    private final ConcurrentHashMap<Integer, CompletableFuture<byte[]>> inflight = new ConcurrentHashMap<>();
    private final AtomicLong cachedBytes = new AtomicLong();
    private final Object readerLock = new Object();
    private volatile BlobReader reader;
    private volatile boolean closed;
    int refs;

    private CachedBlob(FileCacheManager mgr, BlobInfo info, ChunkStore store, ChunkMap map) {
        this.mgr = mgr;
        this.options = mgr.options();
        this.info = info;
        this.blobId = info.blobId();
        this.store = store;
        this.map = map;
    }

    /** Opens the cache files of a blob (none for dummycache), repairing what does not add up. */
    static CachedBlob open(FileCacheManager mgr, BlobInfo info) throws IOException {
        CacheOptions o = mgr.options();
        if (!o.type().isFileBacked()) {
            return new CachedBlob(mgr, info, null, ChunkMap.memory(info.chunkCount()));
        }
        boolean raw = o.compressed();
        Path dataPath = o.workDir().resolve(info.blobId() + (raw ? FileChunkStore.RAW_SUFFIX : FileChunkStore.DATA_SUFFIX));
        Path mapPath = o.workDir().resolve(info.blobId() + CHUNK_MAP_SUFFIX);
        long expected = raw ? info.compressedSize() : info.uncompressedSize();
        List<String> repairs = new ArrayList<>();
        boolean dataExisted = Files.exists(dataPath);
        long actual = dataExisted ? Files.size(dataPath) : 0;
        if (dataExisted && expected > 0 && actual > expected) {
            // Upstream refuses such a file; it cannot be ours for this blob, so start afresh.
            repairs.add("cache file " + dataPath.getFileName() + " has " + actual + " bytes, expected " + expected
                    + "; rebuilt");
            Files.delete(dataPath);
            Files.deleteIfExists(mapPath);
            dataExisted = false;
            actual = 0;
        }
        ChunkMap map = info.chunkCount() > 0 ? PersistedChunkMap.open(mapPath, info.chunkCount())
                : ChunkMap.memory(0);
        ChunkStore store = null;
        try {
            // The chunk map's own repairs were logged when it was opened.
            store = FileChunkStore.open(dataPath, raw, expected);
            repairMap(info, map, store, dataExisted, actual, repairs);
            CachedBlob b = new CachedBlob(mgr, info, store, map);
            b.cachedBytes.set(b.countCachedBytes());
            for (String r : repairs) {
                LOG.warn("blob cache {}: {}", info.blobId(), r);
            }
            return b;
        } catch (IOException | RuntimeException e) {
            map.close();
            if (store != null) {
                store.close();
            }
            throw e;
        }
    }

    /**
     * Opens a blob over a cache file someone else owns and reads ({@link ExternalChunkStore}):
     * readiness is rebuilt from the file's data extents, a chunk counting as present when it lies
     * wholly inside data (chunks are written whole, so a torn write leaves a hole).
     */
    static CachedBlob openExternal(FileCacheManager mgr, BlobInfo info, ExternalCacheFile file) throws IOException {
        ChunkTable table = info.chunkTable();
        if (table == null || info.chunkCount() <= 0) {
            throw new IOException("blob " + info.blobId() + " has no chunk table; it cannot be cached by offset");
        }
        ExternalChunkStore store = new ExternalChunkStore(file, info.uncompressedSize());
        ChunkMap map = ChunkMap.rebuilt(info.chunkCount());
        long[] extents = store.dataExtents();
        for (int i = 0; i < table.size(); i++) {
            if (ExternalChunkStore.inData(table.get(i), extents)) {
                map.markReady(i);
            }
        }
        CachedBlob b = new CachedBlob(mgr, info, store, map);
        b.cachedBytes.set(b.countCachedBytes());
        return b;
    }

    /** Whether the blob's file belongs to someone else (see {@link #openExternal}). */
    boolean isExternal() {
        return store != null && !store.readable();
    }

    /**
     * A chunk map may claim chunks that the data file cannot hold: the data file was deleted or
     * truncated behind the map's back. Such chunks are marked not ready, so they are fetched again
     * instead of being served as zeros.
     */
    private static void repairMap(BlobInfo info, ChunkMap map, ChunkStore store, boolean dataExisted, long actual,
                                  List<String> repairs) {
        if (!map.isPersistent() || map.readyCount() == 0) {
            return;
        }
        if (!dataExisted) {
            int n = clearAll(map);
            repairs.add("chunk map claims " + n + " chunks but the cache file was missing; all marked not ready");
            return;
        }
        ChunkTable table = info.chunkTable();
        long expected = store.storesCompressed() ? info.compressedSize() : info.uncompressedSize();
        if (actual >= expected) {
            return;
        }
        if (table == null) {
            int n = clearAll(map);
            repairs.add("cache file holds " + actual + " of " + expected + " bytes and the chunk layout is unknown; "
                    + n + " chunks marked not ready");
            return;
        }
        int cleared = 0;
        for (int i = 0; i < table.size(); i++) {
            if (map.isReady(i) && store.end(table.get(i)) > actual) {
                map.clearReady(i);
                cleared++;
            }
        }
        if (cleared > 0) {
            repairs.add("cache file holds " + actual + " of " + expected + " bytes; " + cleared
                    + " chunks past its end marked not ready");
        }
    }

    private static int clearAll(ChunkMap map) {
        int n = 0;
        for (int i = 0; i < map.chunkCount(); i++) {
            if (map.clearReady(i)) {
                n++;
            }
        }
        return n;
    }

    private long countCachedBytes() {
        if (store == null || map.readyCount() == 0) {
            return 0;
        }
        ChunkTable table = info.chunkTable();
        if (table == null) {
            long size = store.storesCompressed() ? info.compressedSize() : info.uncompressedSize();
            return map.chunkCount() == 0 ? 0 : size * map.readyCount() / map.chunkCount();
        }
        long n = 0;
        for (int i = 0; i < table.size(); i++) {
            if (map.isReady(i)) {
                n += store.footprint(table.get(i));
            }
        }
        return n;
    }

    BlobInfo info() {
        return info;
    }

    String blobId() {
        return blobId;
    }

    long cachedBytes() {
        return cachedBytes.get();
    }

    boolean isFileBacked() {
        return store != null;
    }

    String dataFileName() {
        return store == null ? null : store.path().getFileName().toString();
    }

    boolean isReady(int index) {
        return store != null && map.isReady(index);
    }

    int readyCount() {
        return store == null ? 0 : map.readyCount();
    }

    boolean isAllReady() {
        return store != null && map.allReady();
    }

    // ---------------------------------------------------------------- reads

    /** Delivers {@code slices} (all of this blob) to {@code sink}, in order. */
    void read(List<ChunkSlice> slices, ChunkSink sink) throws IOException {
        mgr.counters().total.increment();
        if (slices.size() == 1 && readReadySlice(slices.get(0), sink)) {
            return;
        }
        Map<Integer, ChunkInfo> distinct = new LinkedHashMap<>();
        for (ChunkSlice s : slices) {
            distinct.putIfAbsent(s.chunk().index(), s.chunk());
        }
        Map<Integer, byte[]> data = new HashMap<>();
        Set<Integer> direct = new HashSet<>();
        List<ChunkInfo> missing = new ArrayList<>();
        for (ChunkInfo c : distinct.values()) {
            byte[] hot = hot(c);
            if (hot != null) {
                mgr.counters().wholeHits.increment();
                data.put(c.index(), hot);
            } else if (store != null && map.isReady(c.index())) {
                if (!store.storesCompressed() && !needsCheck(c)) {
                    direct.add(c.index());
                    continue;
                }
                byte[] d = readCached(c);
                if (d != null) {
                    data.put(c.index(), d);
                } else {
                    missing.add(c);
                }
            } else if (store != null && !map.isPersistent() && c.digest() != null) {
                byte[] d = recover(c);
                if (d != null) {
                    data.put(c.index(), d);
                } else {
                    missing.add(c);
                }
            } else {
                missing.add(c);
            }
        }
        if (!missing.isEmpty()) {
            data.putAll(fetchAndWait(missing));
        }
        for (ChunkSlice s : slices) {
            byte[] d = data.get(s.chunk().index());
            if (d != null) {
                sink.accept(ByteBuffer.wrap(d, s.offset(), s.length()));
            } else {
                deliverFromFile(s, sink);
            }
        }
    }

    /**
     * The common case of a small read: one slice of a chunk that is in memory or ready in the
     * cache file, served without the bookkeeping of the general path. Returns false (having
     * delivered nothing) when the chunk needs that path: fetching, checking or recovering.
     */
    private boolean readReadySlice(ChunkSlice s, ChunkSink sink) throws IOException {
        ChunkInfo c = s.chunk();
        byte[] d = hot(c);
        if (d != null) {
            // A chunk held in memory is a hit of the cache too (upstream counts it as whole).
            mgr.counters().wholeHits.increment();
            sink.accept(ByteBuffer.wrap(d, s.offset(), s.length()));
            return true;
        }
        if (store == null || store.storesCompressed() || !map.isReady(c.index()) || needsCheck(c)) {
            return false;
        }
        deliverFromFile(s, sink);
        return true;
    }

    /**
     * Delivers a slice of a ready chunk straight from the (uncompressed) cache file: into the
     * caller's buffer when the sink lends one (no temporary, no copy), else through a temporary.
     */
    private void deliverFromFile(ChunkSlice s, ChunkSink sink) throws IOException {
        if (sink instanceof ChunkSink.ToBuffer tb && tb.destination().remaining() >= s.length()) {
            ByteBuffer dst = tb.destination();
            readSliceFromFile(s, dst.slice(dst.position(), s.length()));
            dst.position(dst.position() + s.length());
        } else {
            ByteBuffer buf = ByteBuffer.allocate(s.length());
            readSliceFromFile(s, buf);
            buf.flip();
            sink.accept(buf);
        }
    }

    private void readSliceFromFile(ChunkSlice s, ByteBuffer dst) throws FsException {
        try {
            store.readSlice(s.chunk(), s.offset(), dst);
        } catch (IOException e) {
            throw new FsException(Errno.EIO, "reading chunk " + s.chunk().index() + " of blob " + blobId
                    + " from the cache file failed: " + e, e);
        }
        mgr.counters().partialHits.increment();
    }

    private byte[] hot(ChunkInfo c) {
        Cache<ChunkKey, byte[]> hot = mgr.hotCache();
        return hot == null ? null : hot.getIfPresent(new ChunkKey(blobId, c.index()));
    }

    private void putHot(ChunkInfo c, byte[] d) {
        Cache<ChunkKey, byte[]> hot = mgr.hotCache();
        if (hot != null) {
            hot.put(new ChunkKey(blobId, c.index()), d);
        }
    }

    /**
     * A ready chunk from memory, else from the cache file; null if the file's copy is bad. A
     * write-only file is never read back: it only is filled ({@link #fill}), where nobody waits for
     * the bytes, so they stand for themselves as {@link #NOT_READ}.
     */
    private byte[] hotOrCached(ChunkInfo c) {
        if (isExternal()) {
            return NOT_READ;
        }
        byte[] d = hot(c);
        return d != null ? d : readCached(c);
    }

    /** Reads a ready chunk from the cache file, checking it; null (and not ready) if it is bad. */
    private byte[] readCached(ChunkInfo c) {
        try {
            byte[] d = readUncompressed(c);
            if (needsCheck(c) && !verify(c, d)) {
                LOG.warn("blob {} chunk {}: cached data fails validation; refetching", blobId, c.index());
                dropReady(c);
                return null;
            }
            mgr.counters().wholeHits.increment();
            putHot(c, d);
            return d;
        } catch (IOException e) {
            LOG.warn("blob {} chunk {}: cached data unreadable ({}); refetching", blobId, c.index(), e.toString());
            dropReady(c);
            return null;
        }
    }

    /** The chunk's uncompressed bytes from the cache file, unchecked. */
    private byte[] readUncompressed(ChunkInfo c) throws IOException {
        byte[] stored = store.readStored(c);
        return store.storesCompressed() ? decode(c, stored, 0) : stored;
    }

    /** Without persisted readiness, data in the cache file counts only once it validates. */
    private byte[] recover(ChunkInfo c) {
        try {
            byte[] d = readUncompressed(c);
            if (verify(c, d)) {
                if (map.markReady(c.index())) {
                    cachedBytes.addAndGet(store.footprint(c));
                }
                mgr.counters().wholeHits.increment();
                putHot(c, d);
                return d;
            }
        } catch (IOException e) {
            LOG.debug("blob {} chunk {}: nothing to recover: {}", blobId, c.index(), e.toString());
        }
        return null;
    }

    private void dropReady(ChunkInfo c) {
        if (map.clearReady(c.index())) {
            long n = store.footprint(c);
            cachedBytes.addAndGet(-n);
            mgr.onCached(-n);
        }
    }

    private boolean needsCheck(ChunkInfo c) {
        return c.hasCrc32() || checksDigest(c);
    }

    /** Digests are checked when asked for, and always when readiness is not persisted. */
    private boolean checksDigest(ChunkInfo c) {
        return c.digest() != null && (options.digestValidate() || !map.isPersistent());
    }

    private boolean verify(ChunkInfo c, byte[] d) {
        if (c.hasCrc32()) {
            CRC32C crc = new CRC32C();
            crc.update(d, 0, d.length);
            if ((int) crc.getValue() != c.crc32()) {
                return false;
            }
        }
        if (checksDigest(c)) {
            return ChunkDigest.matches(info.digester(), c.digest(), d, 0, d.length);
        }
        return true;
    }

    /** Fetches missing chunks (sharing in-flight requests) and waits for all of them. */
    private Map<Integer, byte[]> fetchAndWait(List<ChunkInfo> missing) throws IOException {
        Map<Integer, byte[]> out = new HashMap<>();
        List<ChunkInfo> todo = missing;
        for (int round = 0; round < 2 && !todo.isEmpty(); round++) {
            Set<Integer> owned = new HashSet<>();
            Map<Integer, CompletableFuture<byte[]>> futures = claimAndFetch(todo, owned, true);
            List<ChunkInfo> retry = new ArrayList<>();
            for (ChunkInfo c : todo) {
                CompletableFuture<byte[]> f = futures.get(c.index());
                try {
                    out.put(c.index(), f.get());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    InterruptedIOException ie = new InterruptedIOException("interrupted waiting for chunk " + c.index());
                    ie.initCause(e);
                    throw ie;
                } catch (ExecutionException e) {
                    if (!owned.contains(c.index()) && round == 0) {
                        // Someone else's request failed (a prefetch, say): try once with our own.
                        retry.add(c);
                    } else {
                        throw Errors.toFsException(e.getCause());
                    }
                }
            }
            todo = retry;
        }
        return out;
    }

    /**
     * Claims the chunks nobody is fetching, fetches them (amplified when {@code amplify}) and
     * returns a future per requested chunk: ours, or the one we found.
     */
    private Map<Integer, CompletableFuture<byte[]>> claimAndFetch(List<ChunkInfo> chunks, Set<Integer> owned, boolean amplify) {
        Map<Integer, CompletableFuture<byte[]>> result = new HashMap<>();
        List<ChunkInfo> mine = new ArrayList<>();
        List<ChunkInfo> sorted = new ArrayList<>(chunks);
        sorted.sort(Comparator.comparingInt(ChunkInfo::index));
        for (ChunkInfo c : sorted) {
            CompletableFuture<byte[]> f = new CompletableFuture<>();
            CompletableFuture<byte[]> prev = inflight.putIfAbsent(c.index(), f);
            if (prev != null) {
                result.put(c.index(), prev);
                continue;
            }
            result.put(c.index(), f);
            owned.add(c.index());
            if (store != null && map.isReady(c.index())) {
                // Became ready between our check and the claim.
                byte[] d = hotOrCached(c);
                if (d != null) {
                    f.complete(d);
                    inflight.remove(c.index(), f);
                    continue;
                }
            }
            mine.add(c);
        }
        if (mine.isEmpty()) {
            return result;
        }
        long window = options.amplifyIo();
        List<List<ChunkInfo>> groups = ChunkRanges.merge(mine, window);
        if (amplify && window > 0 && info.chunkTable() != null) {
            for (List<ChunkInfo> g : groups) {
                extend(g, window);
            }
        }
        long bytes = 0;
        for (List<ChunkInfo> g : groups) {
            bytes += ChunkRanges.end(g) - ChunkRanges.start(g);
            execute(g, RequestSource.ON_DEMAND);
        }
        mgr.scheduler().chargeOnDemand(bytes);
        return result;
    }

    /**
     * Read amplification: adds the chunks that follow the group in the blob, while they are
     * neither cached nor being fetched and the request stays within {@code window} compressed
     * bytes (upstream's {@code add_more_chunks} with {@code amplify_io}).
     */
    private void extend(List<ChunkInfo> group, long window) {
        ChunkTable table = info.chunkTable();
        long start = ChunkRanges.start(group);
        long end = ChunkRanges.end(group);
        long maxGap = window >> ChunkRanges.GAP_SHIFT;
        int next = group.get(group.size() - 1).index() + 1;
        while (next < table.size()) {
            ChunkInfo s = table.get(next);
            if (s.compressedOffset() < end || s.compressedOffset() - end > maxGap || s.compressedEnd() - start > window
                    || (s.flags() & (ChunkFlags.BATCH | ChunkFlags.ENCRYPTED)) != 0) {
                break;
            }
            if (store != null && map.isReady(next)) {
                break;
            }
            CompletableFuture<byte[]> f = new CompletableFuture<>();
            if (inflight.putIfAbsent(next, f) != null) {
                break;
            }
            if (store != null && map.isReady(next)) {
                releaseReadyClaim(s, f);
                break;
            }
            group.add(s);
            end = s.compressedEnd();
            next++;
        }
    }

    /**
     * Gives up a claim on a chunk that turned out to be ready. Anyone who found the claim in the
     * meantime gets the cached data, or an error that makes them fetch it themselves.
     */
    private void releaseReadyClaim(ChunkInfo c, CompletableFuture<byte[]> f) {
        byte[] d = hotOrCached(c);
        inflight.remove(c.index(), f);
        if (d != null) {
            f.complete(d);
        } else {
            f.completeExceptionally(new FsException(Errno.EAGAIN, "chunk " + c.index() + " of blob " + blobId
                    + " was released unread"));
        }
    }

    /**
     * Makes {@code chunks} (all of this blob) ready in the cache file without delivering them: the
     * missing ones are fetched, amplified, and stored. Returns the number that were missing.
     */
    int fill(List<ChunkInfo> chunks) throws IOException {
        mgr.counters().total.increment();
        List<ChunkInfo> missing = new ArrayList<>();
        for (ChunkInfo c : chunks) {
            if (!map.isReady(c.index())) {
                missing.add(c);
            }
        }
        if (!missing.isEmpty()) {
            fetchAndWait(missing);
        }
        return missing.size();
    }

    // ---------------------------------------------------------------- prefetch

    /**
     * Fetches the chunks of one merged prefetch range that nobody has cached or claimed. Never
     * waits for other requests. Returns the bytes fetched.
     */
    long prefetch(List<ChunkInfo> chunks, BooleanSupplier cancelled) throws IOException {
        if (store == null || closed) {
            return 0;
        }
        List<ChunkInfo> mine = new ArrayList<>();
        for (ChunkInfo c : chunks) {
            if (cancelled.getAsBoolean()) {
                break;
            }
            if (map.isReady(c.index())) {
                continue;
            }
            CompletableFuture<byte[]> f = new CompletableFuture<>();
            if (inflight.putIfAbsent(c.index(), f) != null) {
                continue;
            }
            if (map.isReady(c.index())) {
                releaseReadyClaim(c, f);
                continue;
            }
            mine.add(c);
        }
        long bytes = 0;
        IOException failure = null;
        // Every claimed group runs even if cancelled meanwhile: readers may be waiting on it.
        for (List<ChunkInfo> g : ChunkRanges.merge(mine, options.prefetch().effectiveMergingSize())) {
            IOException e = execute(g, RequestSource.PREFETCH);
            if (e == null) {
                bytes += ChunkRanges.end(g) - ChunkRanges.start(g);
            } else if (failure == null) {
                failure = e;
            }
        }
        if (failure != null) {
            throw failure;
        }
        return bytes;
    }

    // ---------------------------------------------------------------- backend

    /**
     * Reads one group with one backend request, then decodes, checks, hands out and stores each
     * chunk. Every claimed future of the group is completed, normally or exceptionally. Returns
     * the first failure, or null. The source picks the backend's retry budget and, behind a
     * Dragonfly proxy, the request's priority.
     */
    private IOException execute(List<ChunkInfo> group, RequestSource source) {
        long start = ChunkRanges.start(group);
        long end = ChunkRanges.end(group);
        byte[] buf;
        try {
            unsupported(group);
            if (end - start > Integer.MAX_VALUE - 16) {
                throw new FsException(Errno.EINVAL, "request of " + (end - start) + " bytes from blob " + blobId);
            }
            buf = readBackend(start, (int) (end - start), source);
        } catch (IOException e) {
            FsException fe = asEio(e, "reading blob " + blobId + " range " + start + "+" + (end - start));
            for (ChunkInfo c : group) {
                fail(c, fe);
            }
            return fe;
        }
        IOException first = null;
        for (ChunkInfo c : group) {
            try {
                byte[] stored = buf;
                int off = (int) (c.compressedOffset() - start);
                byte[] d = decodeChecked(c, buf, off);
                if (d == null) {
                    LOG.warn("blob {} chunk {}: fetched data fails validation; fetching it again", blobId, c.index());
                    stored = readBackend(c.compressedOffset(), c.compressedSize(), source);
                    off = 0;
                    d = decodeChecked(c, stored, 0);
                    if (d == null) {
                        throw new FsException(Errno.EIO, "blob " + blobId + " chunk " + c.index()
                                + ": data digest value doesn't match, twice; not served");
                    }
                }
                complete(c, d, stored, off);
            } catch (IOException e) {
                FsException fe = asEio(e, "blob " + blobId + " chunk " + c.index());
                fail(c, fe);
                if (first == null) {
                    first = fe;
                }
            }
        }
        return first;
    }

    private void unsupported(List<ChunkInfo> group) throws FsException {
        if (info.hasFeature(BlobFeatures.ENCRYPTED) || info.hasFeature(BlobFeatures.ZRAN)) {
            throw new FsException(Errno.EOPNOTSUPP, "blob " + blobId + ": encrypted and ZRAN blobs are not supported");
        }
        for (ChunkInfo c : group) {
            if ((c.flags() & (ChunkFlags.BATCH | ChunkFlags.ENCRYPTED)) != 0) {
                throw new FsException(Errno.EOPNOTSUPP, "blob " + blobId + " chunk " + c.index()
                        + ": batch and encrypted chunks are not supported");
            }
        }
    }

    /** Decodes a chunk; returns null when it decodes but fails validation. */
    private byte[] decodeChecked(ChunkInfo c, byte[] src, int off) throws IOException {
        byte[] d;
        try {
            d = decode(c, src, off);
        } catch (FsException e) {
            // Undecodable data is as bad as a digest mismatch: worth one refetch.
            LOG.debug("blob {} chunk {}: {}", blobId, c.index(), e.getMessage());
            return null;
        }
        return needsCheck(c) && !verify(c, d) ? null : d;
    }

    private byte[] decode(ChunkInfo c, byte[] src, int off) throws FsException {
        if (off < 0 || off + (long) c.compressedSize() > src.length) {
            throw new FsException(Errno.EIO, "chunk " + c.index() + " lies outside the fetched range");
        }
        if (c.compressed()) {
            byte[] comp = off == 0 && src.length == c.compressedSize() ? src
                    : Arrays.copyOfRange(src, off, off + c.compressedSize());
            byte[] out = new byte[c.uncompressedSize()];
            ChunkCodec.decompress(info.compressor(), comp, comp.length, out, out.length);
            return out;
        }
        if (c.compressedSize() != c.uncompressedSize()) {
            throw new FsException(Errno.EIO, "uncompressed chunk " + c.index() + " of blob " + blobId + " stores "
                    + c.compressedSize() + " bytes for " + c.uncompressedSize());
        }
        return Arrays.copyOfRange(src, off, off + c.compressedSize());
    }

    private byte[] readBackend(long offset, int length, RequestSource source) throws IOException {
        byte[] buf = new byte[length];
        ensureReader().readFully(ByteBuffer.wrap(buf), offset, source);
        return buf;
    }

    private BlobReader ensureReader() throws IOException {
        BlobReader r = reader;
        if (r == null) {
            synchronized (readerLock) {
                r = reader;
                if (r == null) {
                    if (closed) {
                        throw new FsException(Errno.EBADF, "blob cache " + blobId + " is closed");
                    }
                    BlobBackend backend = mgr.backend();
                    r = backend.open(blobId);
                    reader = r;
                }
            }
        }
        return r;
    }

    private void complete(ChunkInfo c, byte[] d, byte[] stored, int off) {
        CompletableFuture<byte[]> f = inflight.get(c.index());
        if (f != null) {
            f.complete(d);
        }
        putHot(c, d);
        if (store != null && !closed) {
            try {
                store.write(c, d, stored, off);
                if (map.markReady(c.index())) {
                    long n = store.footprint(c);
                    cachedBytes.addAndGet(n);
                    mgr.counters().entriesCount.increment();
                    mgr.onCached(n);
                }
            } catch (IOException | RuntimeException e) {
                // Served from memory this time; stays not ready, so it is fetched again later.
                LOG.warn("blob {} chunk {}: storing in the cache failed: {}", blobId, c.index(), e.toString());
            }
        }
        if (f != null) {
            inflight.remove(c.index(), f);
        }
    }

    private void fail(ChunkInfo c, FsException e) {
        CompletableFuture<byte[]> f = inflight.get(c.index());
        if (f != null) {
            f.completeExceptionally(e);
            inflight.remove(c.index(), f);
        }
    }

    private static FsException asEio(IOException e, String what) {
        if (e instanceof FsException fe) {
            return fe;
        }
        return new FsException(Errors.toErrno(e), what + ": " + e, e);
    }

    void close() {
        closed = true;
        synchronized (readerLock) {
            if (reader != null) {
                reader.close();
                reader = null;
            }
        }
        map.close();
        if (store != null) {
            store.close();
        }
    }
}
