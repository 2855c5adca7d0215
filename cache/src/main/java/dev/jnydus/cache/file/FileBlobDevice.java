package dev.jnydus.cache.file;

import dev.jnydus.cache.device.BlobDevice;
import dev.jnydus.cache.device.BlobInfo;
import dev.jnydus.cache.device.BlobIoVec;
import dev.jnydus.cache.device.CacheType;
import dev.jnydus.cache.device.ChunkInfo;
import dev.jnydus.cache.device.ChunkSink;
import dev.jnydus.cache.device.ChunkSlice;
import dev.jnydus.cache.device.ChunkTable;
import dev.jnydus.cache.device.PrefetchPriority;
import dev.jnydus.cache.prefetch.PrefetchGroup;
import dev.jnydus.cache.prefetch.PrefetchTask;
import dev.jnydus.common.Errno;
import dev.jnydus.common.Errors;
import dev.jnydus.common.FsException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A device over blob caches held by a {@link FileCacheManager}. */
final class FileBlobDevice implements BlobDevice {
    private static final Logger LOG = LoggerFactory.getLogger(FileBlobDevice.class);
    /** How long close waits for running prefetch requests of the device. */
    static final Duration CLOSE_WAIT = Duration.ofSeconds(30);

    private final FileCacheManager mgr;
    private final List<BlobInfo> infos;
    private final CachedBlob[] byIndex;
    private final PrefetchGroup group;
    private volatile boolean closed;

    FileBlobDevice(FileCacheManager mgr, List<BlobInfo> infos, CachedBlob[] byIndex, PrefetchGroup group) {
        this.mgr = mgr;
        this.infos = List.copyOf(infos);
        this.byIndex = byIndex;
        this.group = group;
    }

    @Override
    public List<BlobInfo> blobs() {
        return infos;
    }

    private CachedBlob blob(int index) throws FsException {
        if (index < 0 || index >= byIndex.length || byIndex[index] == null) {
            throw new FsException(Errno.EINVAL, "no blob with index " + index + " in this device");
        }
        return byIndex[index];
    }

    @Override
    public long read(BlobIoVec io, ChunkSink sink) throws FsException {
        if (closed || mgr.isClosed()) {
            throw new FsException(Errno.EBADF, "blob device is closed");
        }
        List<ChunkSlice> slices = io.slices();
        int i = 0;
        try {
            while (i < slices.size()) {
                int blobIndex = slices.get(i).chunk().blobIndex();
                int j = i + 1;
                while (j < slices.size() && slices.get(j).chunk().blobIndex() == blobIndex) {
                    j++;
                }
                blob(blobIndex).read(slices.subList(i, j), sink);
                i = j;
            }
        } catch (FsException e) {
            throw e;
        } catch (IOException e) {
            // The sink's own failure (a closed reply channel, say) keeps its errno.
            throw Errors.toFsException(e);
        } catch (RuntimeException | AssertionError e) {
            // A bug must cost the reader this read, never the daemon a worker or a wedge.
            LOG.error("reading {} bytes from the blob cache failed unexpectedly", io.size(), e);
            throw new FsException(Errno.EIO, "blob cache read failed: " + e, e);
        }
        return io.size();
    }

    @Override
    public int prefetch(Collection<ChunkInfo> chunks) {
        return prefetch(chunks, PrefetchPriority.NORMAL);
    }

    @Override
    public int prefetch(Collection<ChunkInfo> chunks, PrefetchPriority priority) {
        if (!prefetchEnabled()) {
            return 0;
        }
        Map<Integer, List<ChunkInfo>> perBlob = new TreeMap<>();
        for (ChunkInfo c : chunks) {
            perBlob.computeIfAbsent(c.blobIndex(), k -> new ArrayList<>()).add(c);
        }
        int queued = 0;
        for (Map.Entry<Integer, List<ChunkInfo>> e : perBlob.entrySet()) {
            try {
                queued += prefetchBlob(blob(e.getKey()), e.getValue(), priority);
            } catch (FsException ex) {
                LOG.warn("prefetch: {}", ex.getMessage());
            }
        }
        return queued;
    }

    private boolean prefetchEnabled() {
        CacheType type = mgr.options().type();
        return !closed && mgr.scheduler().isEnabled() && (type.isFileBacked() || type == CacheType.FSCACHE);
    }

    /**
     * Queues chunks of one blob: duplicates and cached chunks dropped, the rest merged into
     * requests of at most {@code merging_size} compressed bytes, across gaps up to
     * {@code merging_size / 128} as upstream. Upstream sorts by compressed offset first; here the
     * caller's order is kept (a prefetch list comes in the order a workload reads), merging only
     * chunks that follow each other in the blob, which for chunks given in blob order is the same.
     */
    private int prefetchBlob(CachedBlob blob, Collection<ChunkInfo> chunks, PrefetchPriority priority) {
        Map<Integer, ChunkInfo> distinct = new LinkedHashMap<>();
        for (ChunkInfo asked : chunks) {
            ChunkInfo c = blob.keyed(asked);
            if (c != null && !blob.isReady(c)) {
                distinct.putIfAbsent(c.index(), c);
            }
        }
        mgr.prefetchMetrics().addUnmergedChunks(distinct.size());
        int queued = 0;
        for (List<ChunkInfo> range : ChunkRanges.mergeInOrder(new ArrayList<>(distinct.values()),
                mgr.options().prefetch().effectiveMergingSize())) {
            long bytes = ChunkRanges.end(range) - ChunkRanges.start(range);
            if (mgr.scheduler().submit(new Task(blob, range, bytes, priority))) {
                queued++;
            }
        }
        return queued;
    }

    private final class Task implements PrefetchTask {
        private final CachedBlob blob;
        private final List<ChunkInfo> range;
        private final long bytes;
        private final PrefetchPriority priority;

        Task(CachedBlob blob, List<ChunkInfo> range, long bytes, PrefetchPriority priority) {
            this.blob = blob;
            this.range = range;
            this.bytes = bytes;
            this.priority = priority;
        }

        @Override
        public PrefetchPriority priority() {
            return priority;
        }

        @Override
        public PrefetchGroup group() {
            return group;
        }

        @Override
        public long networkBytes() {
            return bytes;
        }

        @Override
        public long run() throws IOException {
            return blob.prefetch(range, group::isCancelled);
        }
    }

    @Override
    public int prefetchBlobRange(int blobIndex, long offset, long length) {
        if (!prefetchEnabled()) {
            return 0;
        }
        CachedBlob blob;
        try {
            blob = blob(blobIndex);
        } catch (FsException e) {
            LOG.warn("prefetch: {}", e.getMessage());
            return 0;
        }
        ChunkTable table = blob.info().chunkTable();
        if (table == null) {
            LOG.debug("blob {} has no chunk table; blob-level prefetch skipped", blob.blobId());
            return 0;
        }
        long end = offset + length;
        List<ChunkInfo> chunks = new ArrayList<>();
        for (int i = 0; i < table.size(); i++) {
            ChunkInfo c = table.get(i);
            if (c.compressedOffset() < end && c.compressedEnd() > offset) {
                chunks.add(c);
            }
        }
        return prefetchBlob(blob, chunks, PrefetchPriority.NORMAL);
    }

    @Override
    public int prefetchAll() {
        if (!prefetchEnabled()) {
            return 0;
        }
        int n = 0;
        for (BlobInfo b : infos) {
            ChunkTable table = byIndex[b.index()].info().chunkTable();
            if (table == null) {
                LOG.debug("blob {} has no chunk table; prefetch_all skips it", b.blobId());
                continue;
            }
            List<ChunkInfo> all = new ArrayList<>(table.size());
            for (int i = 0; i < table.size(); i++) {
                all.add(table.get(i));
            }
            n += prefetchBlob(byIndex[b.index()], all, PrefetchPriority.NORMAL);
        }
        return n;
    }

    @Override
    public boolean isReady(ChunkInfo chunk) {
        int i = chunk.blobIndex();
        return i >= 0 && i < byIndex.length && byIndex[i] != null && byIndex[i].isReady(chunk);
    }

    @Override
    public boolean isReadyForDirectRead(ChunkInfo chunk) {
        int i = chunk.blobIndex();
        return i >= 0 && i < byIndex.length && byIndex[i] != null && byIndex[i].isReadyForDirectRead(chunk);
    }

    @Override
    public Optional<Path> uncompressedDataFile(int blobIndex) {
        if (blobIndex < 0 || blobIndex >= byIndex.length || byIndex[blobIndex] == null) {
            return Optional.empty();
        }
        return Optional.ofNullable(byIndex[blobIndex].uncompressedDataFile());
    }

    @Override
    public boolean isAllDataReady() {
        for (BlobInfo b : infos) {
            if (!byIndex[b.index()].isAllReady()) {
                return false;
            }
        }
        return true;
    }

    @Override
    public boolean awaitPrefetch(Duration timeout) throws InterruptedException {
        return group.awaitIdle(timeout);
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (!mgr.scheduler().cancel(group, CLOSE_WAIT)) {
                LOG.warn("prefetch of a closing device did not stop within {}", CLOSE_WAIT);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        mgr.release(byIndex);
    }
}
