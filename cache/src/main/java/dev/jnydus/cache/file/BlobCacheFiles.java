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
import java.util.concurrent.atomic.AtomicLong;
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
 *
 * <p>Checks of cached data. Data is checked when it comes from the backend. What the file holds is
 * trusted after that, as upstream trusts it, except: an unverified chunk (above) is checked before
 * its first use; with {@code digest_validate} on, every chunk that was ready when the blob was
 * opened is <em>unchecked</em> and is checked once, on its first read, before any part of it is
 * served. A chunk checked (or written) in this run is served in slices: a read of 4 KiB of a cached
 * 1 MiB chunk reads 4 KiB of the file.
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
    private final ChunkBits unverified;
    /** Ready chunks that digest_validate wants checked once before they are served; null if none. */
    private final ChunkBits unchecked;

    private BlobCacheFiles(FileCacheManager mgr, BlobInfo info, ChunkStore store, ChunkMap map,
                           UnsyncedMarkers markers) {
        this.mgr = mgr;
        this.info = info;
        this.store = store;
        this.map = map;
        this.markers = markers;
        boolean doubt = markers != null && markers.uncleanStop() && map.readyCount() > 0;
        this.unverified = doubt ? readyChunks(map) : null;
        if (doubt) {
            LOG.info("blob cache {}: a process using it stopped without syncing; its {} cached chunks are checked "
                    + "before first use", info.blobId(), unverified.size());
        }
        boolean validate = store != null && map.isPersistent() && mgr.options().digestValidate()
                && map.readyCount() > 0;
        this.unchecked = validate ? readyChunks(map) : null;
    }

    private static ChunkBits readyChunks(ChunkMap map) {
        ChunkBits bits = new ChunkBits(map.chunkCount());
        for (int i = 0; i < map.chunkCount(); i++) {
            if (map.isReady(i)) {
                bits.add(i);
            }
        }
        return bits;
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
     * The files of a blob over a cache file someone else owns ({@link ExternalChunkStore}):
     * readiness is whatever the file holds, rebuilt from its data extents, so there is no chunk map
     * to keep in step and no marker; the file's durability is its owner's (the kernel's).
     */
    static BlobCacheFiles external(FileCacheManager mgr, BlobInfo info, ExternalChunkStore store) throws IOException {
        BlobCacheFiles f = new BlobCacheFiles(mgr, info, store, store.readiness(info), null);
        f.cachedBytes.set(f.countCachedBytes());
        return f;
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

    /** Whether the cache can read its file back (not so for a write-only external file). */
    boolean isReadable() {
        return store != null && store.readable();
    }

    /** Whether the file holds chunks as stored (compressed) rather than uncompressed. */
    boolean storesCompressed() {
        return store != null && store.storesCompressed();
    }

    String dataFileName() {
        return store == null ? null : store.path().getFileName().toString();
    }

    /** The data file when it holds the blob uncompressed at uncompressed offsets, else null. */
    Path uncompressedDataFile() {
        return store == null || store.storesCompressed() ? null : store.path();
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

    int readyCount() {
        return store == null ? 0 : map.readyCount();
    }

    /** Whether a ready chunk must validate before it is served (it was ready at an unclean stop). */
    boolean isUnverified(int id) {
        return unverified != null && unverified.contains(id);
    }

    /**
     * Whether a ready chunk must be read whole and checked before any of it is served: it is
     * unverified, or digest_validate is on and this run has not checked it yet.
     */
    boolean mustCheck(int id) {
        return (unverified != null && unverified.contains(id)) || (unchecked != null && unchecked.contains(id));
    }

    /**
     * Whether a slice of a ready chunk may be read straight from the file: the file holds it
     * uncompressed and nothing is left to check about it.
     */
    boolean servesSlice(int id) {
        // Checks before readiness: drop() clears in the other order, so a chunk dropped meanwhile
        // is seen not ready.
        return isReadable() && !store.storesCompressed() && !mustCheck(id) && map.isReady(id);
    }

    /** Records that a ready chunk's data, read back whole, passed its checks. */
    void verified(ChunkInfo c) {
        clearChecks(c.index());
    }

    private void clearChecks(int id) {
        if (unverified != null) {
            unverified.remove(id);
        }
        if (unchecked != null) {
            unchecked.remove(id);
        }
    }

    /** Reads part of a ready chunk straight from an uncompressed cache file. */
    void readSlice(ChunkInfo c, int offset, ByteBuffer dst) throws FsException {
        mgr.counters().cacheFileReadBytes.add(dst.remaining());
        try {
            store.readSlice(c, offset, dst);
        } catch (IOException e) {
            throw new FsException(Errno.EIO, "reading chunk " + c.index() + " of blob " + info.blobId()
                    + " from the cache file failed: " + e, e);
        }
    }

    /** The chunk's bytes as the file holds them (compressed in raw mode), unchecked. */
    byte[] readStored(ChunkInfo c) throws IOException {
        byte[] b = store.readStored(c);
        mgr.counters().cacheFileReadBytes.add(b.length);
        return b;
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
        clearChecks(c.index());
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
        // Not ready first: between the two steps a reader must not find it ready and checked.
        boolean wasReady = map.clearReady(c.index());
        clearChecks(c.index());
        if (wasReady) {
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
            markers.afterCleanClose(unverified == null || unverified.size() == 0);
        } else if (markers != null) {
            markers.abandon();
        }
    }
}
