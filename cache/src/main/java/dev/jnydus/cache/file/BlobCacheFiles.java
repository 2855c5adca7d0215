package dev.jnydus.cache.file;

import dev.jnydus.cache.device.BlobInfo;
import dev.jnydus.cache.device.CacheOptions;
import dev.jnydus.cache.device.ChunkInfo;
import dev.jnydus.cache.device.ChunkTable;
import dev.jnydus.cache.state.ChunkMap;
import dev.jnydus.cache.state.PersistedChunkMap;
import dev.jnydus.common.Errno;
import dev.jnydus.common.FsException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The file state of one blob's cache: the data file and the chunk map beside it, kept in step.
 * Chunk ids are {@link ChunkIdentity}'s. A dummycache has no files: nothing is ever ready.
 *
 * <p>Readiness is persisted ({@code .chunk_map}, upstream's format) when the image numbers its
 * chunks; otherwise it is kept in memory only, and data left in the file by an earlier run counts
 * only once it validates.
 *
 * <p>Order of writes (docs/cache-durability.md). A chunk's bytes are written (pwrite) before its
 * ready bit is set, so within a running system a ready bit always covers written bytes. On disk
 * the two may reach storage in either order, so: before this process sets its first bit, its
 * {@linkplain UnsyncedMarkers marker} is durable; a clean close syncs the data, then the map, then
 * removes the marker. When a marker of a process that is gone is found at open, every chunk then
 * ready is <em>unverified</em>: it is served only after its data passes its CRC or digest check
 * (whatever {@code digest_validate} says), and dropped and fetched again if it fails or has
 * nothing to check against.
 */
final class BlobCacheFiles implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BlobCacheFiles.class);

    static final String CHUNK_MAP_SUFFIX = FileChunkStore.DATA_SUFFIX + PersistedChunkMap.SUFFIX;

    private final FileCacheManager mgr;
    private final BlobInfo info;
    private final ChunkStore store;
    private final ChunkMap map;
    private final AtomicLong cachedBytes = new AtomicLong();
    private final UnsyncedMarkers markers;
    /** Ready chunks not to be trusted before they validate (after an unclean stop); null if none. */
    private final AtomicLongArray unverified;
    private final AtomicInteger unverifiedCount = new AtomicInteger();

    private BlobCacheFiles(FileCacheManager mgr, BlobInfo info, ChunkStore store, ChunkMap map,
                           UnsyncedMarkers markers) {
        this.mgr = mgr;
        this.info = info;
        this.store = store;
        this.map = map;
        this.markers = markers;
        boolean doubt = markers != null && markers.uncleanStop() && map.readyCount() > 0;
        this.unverified = doubt ? new AtomicLongArray((map.chunkCount() + 63) >>> 6) : null;
        if (doubt) {
            for (int i = 0; i < map.chunkCount(); i++) {
                if (map.isReady(i)) {
                    unverified.getAndAccumulate(i >>> 6, 1L << (i & 63), (a, b) -> a | b);
                    unverifiedCount.incrementAndGet();
                }
            }
            LOG.info("blob cache {}: a process using it stopped without syncing; its {} cached chunks are checked "
                    + "before first use", info.blobId(), unverifiedCount.get());
        }
    }

    /** Opens the cache files of a blob (none for dummycache), repairing what does not add up. */
    static BlobCacheFiles open(FileCacheManager mgr, BlobInfo info, ChunkIdentity identity) throws IOException {
        CacheOptions o = mgr.options();
        if (!o.type().isFileBacked()) {
            return new BlobCacheFiles(mgr, info, null, ChunkMap.memory(info.chunkCount()), null);
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
        UnsyncedMarkers markers = identity.isIndexed() ? UnsyncedMarkers.scan(o.workDir(), info.blobId()) : null;
        ChunkMap map = identity.isIndexed() ? PersistedChunkMap.open(mapPath, info.chunkCount()) : ChunkMap.memory(0);
        ChunkStore store = null;
        try {
            // The chunk map's own repairs were logged when it was opened.
            store = FileChunkStore.open(dataPath, raw, expected);
            repairMap(info, map, store, dataExisted, actual, repairs);
            BlobCacheFiles f = new BlobCacheFiles(mgr, info, store, map, markers);
            f.cachedBytes.set(f.countCachedBytes());
            for (String r : repairs) {
                LOG.warn("blob cache {}: {}", info.blobId(), r);
            }
            return f;
        } catch (IOException | RuntimeException e) {
            map.close();
            if (store != null) {
                store.close();
            }
            throw e;
        }
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

    boolean isFileBacked() {
        return store != null;
    }

    /** Whether readiness survives a restart (else data in the file counts only once it validates). */
    boolean isPersistent() {
        return map.isPersistent();
    }

    /** Whether the file holds chunks as stored (compressed) rather than uncompressed. */
    boolean storesCompressed() {
        return store != null && store.storesCompressed();
    }

    String dataFileName() {
        return store == null ? null : store.path().getFileName().toString();
    }

    long cachedBytes() {
        return cachedBytes.get();
    }

    boolean isReady(int id) {
        return store != null && map.isReady(id);
    }

    boolean isAllReady() {
        return store != null && map.allReady();
    }

    /** Whether a ready chunk must validate before it is served (it was ready at an unclean stop). */
    boolean isUnverified(int id) {
        return unverified != null && (unverified.get(id >>> 6) & (1L << (id & 63))) != 0;
    }

    /** Records that an unverified chunk's data validated. */
    void verified(ChunkInfo c) {
        clearUnverified(c.index());
    }

    private void clearUnverified(int id) {
        if (unverified != null) {
            long bit = 1L << (id & 63);
            if ((unverified.getAndAccumulate(id >>> 6, ~bit, (a, b) -> a & b) & bit) != 0) {
                unverifiedCount.decrementAndGet();
            }
        }
    }

    /** Reads part of a ready chunk straight from an uncompressed cache file. */
    void readSlice(ChunkInfo c, int offset, ByteBuffer dst) throws FsException {
        try {
            store.readSlice(c, offset, dst);
        } catch (IOException e) {
            throw new FsException(Errno.EIO, "reading chunk " + c.index() + " of blob " + info.blobId()
                    + " from the cache file failed: " + e, e);
        }
    }

    /** The chunk's bytes as the file holds them (compressed in raw mode), unchecked. */
    byte[] readStored(ChunkInfo c) throws IOException {
        return store.readStored(c);
    }

    /**
     * Writes a fetched chunk ({@code data}, or in raw mode {@code stored[off, off + compressedSize)})
     * and then marks it ready.
     */
    void store(ChunkInfo c, byte[] data, byte[] stored, int off) throws IOException {
        store.write(c, data, stored, off);
        if (markers != null) {
            markers.beforeFirstReadyBit();
        }
        clearUnverified(c.index());
        if (map.markReady(c.index())) {
            long n = store.footprint(c);
            cachedBytes.addAndGet(n);
            mgr.counters().entriesCount.increment();
            mgr.onCached(n);
        }
    }

    /** Marks ready a chunk whose bytes were found in the file and validated. */
    void markFound(ChunkInfo c) {
        if (map.markReady(c.index())) {
            long n = store.footprint(c);
            cachedBytes.addAndGet(n);
            mgr.onCached(n);
        }
    }

    /** Marks a chunk not ready: its cached bytes proved bad or unreadable. */
    void drop(ChunkInfo c) {
        clearUnverified(c.index());
        if (map.clearReady(c.index())) {
            long n = store.footprint(c);
            cachedBytes.addAndGet(-n);
            mgr.onCached(-n);
        }
    }

    /** Closes cleanly: the data synced, then the map, then this process's marker removed. */
    @Override
    public void close() {
        boolean synced = store == null;
        if (store != null) {
            try {
                store.sync();
                synced = true;
            } catch (IOException | RuntimeException e) {
                LOG.warn("blob cache {}: syncing the cache file failed ({}); its marker stays", info.blobId(),
                        e.toString());
            }
        }
        map.close();
        if (store != null) {
            store.close();
        }
        if (markers != null && synced) {
            markers.afterCleanClose(unverifiedCount.get() == 0);
        } else if (markers != null) {
            markers.abandon();
        }
    }
}
