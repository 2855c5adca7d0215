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
 * A chunk is marked ready only after its bytes were written, and marked not ready as soon as its
 * cached bytes prove bad. Chunk ids are {@link ChunkIdentity}'s.
 *
 * <p>Readiness is persisted ({@code .chunk_map}, upstream's format) when the image numbers its
 * chunks; otherwise it is kept in memory only, and data left in the file by an earlier run counts
 * only once it validates. A dummycache has no files: nothing is ever ready.
 */
final class BlobCacheFiles implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BlobCacheFiles.class);

    static final String CHUNK_MAP_SUFFIX = FileChunkStore.DATA_SUFFIX + PersistedChunkMap.SUFFIX;

    private final FileCacheManager mgr;
    private final BlobInfo info;
    private final ChunkStore store;
    private final ChunkMap map;
    private final AtomicLong cachedBytes = new AtomicLong();

    private BlobCacheFiles(FileCacheManager mgr, BlobInfo info, ChunkStore store, ChunkMap map) {
        this.mgr = mgr;
        this.info = info;
        this.store = store;
        this.map = map;
    }

    /** Opens the cache files of a blob (none for dummycache), repairing what does not add up. */
    static BlobCacheFiles open(FileCacheManager mgr, BlobInfo info, ChunkIdentity identity) throws IOException {
        CacheOptions o = mgr.options();
        if (!o.type().isFileBacked()) {
            return new BlobCacheFiles(mgr, info, null, ChunkMap.memory(info.chunkCount()));
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
        ChunkMap map = identity.isIndexed() ? PersistedChunkMap.open(mapPath, info.chunkCount()) : ChunkMap.memory(0);
        ChunkStore store = null;
        try {
            // The chunk map's own repairs were logged when it was opened.
            store = FileChunkStore.open(dataPath, raw, expected);
            repairMap(info, map, store, dataExisted, actual, repairs);
            BlobCacheFiles f = new BlobCacheFiles(mgr, info, store, map);
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
        if (map.clearReady(c.index())) {
            long n = store.footprint(c);
            cachedBytes.addAndGet(-n);
            mgr.onCached(-n);
        }
    }

    @Override
    public void close() {
        map.close();
        if (store != null) {
            store.close();
        }
    }
}
