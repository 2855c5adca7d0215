package dev.jnydus.cache.file;

import dev.jnydus.cache.device.BlobInfo;
import dev.jnydus.cache.device.ChunkInfo;
import dev.jnydus.cache.device.ChunkTable;
import dev.jnydus.cache.device.ExternalBlobCache;
import dev.jnydus.common.Errno;
import dev.jnydus.common.Errors;
import dev.jnydus.common.FsException;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * An {@link ExternalBlobCache}: one {@link CachedBlob} over a write-only file, with a one-blob
 * device for its prefetch. Chunks are found by uncompressed offset through an index sorted by it
 * (RAFS v6 writes a blob's chunks in offset order, but nothing here relies on that).
 */
final class ExternalBlob implements ExternalBlobCache {
    private final FileBlobDevice device;
    private final CachedBlob blob;
    private final BlobInfo info;
    /** Chunks by uncompressed offset. */
    private final ChunkInfo[] byOffset;
    private volatile boolean closed;

    ExternalBlob(FileBlobDevice device, CachedBlob blob) {
        this.device = device;
        this.blob = blob;
        this.info = blob.info();
        ChunkTable table = info.chunkTable();
        ChunkInfo[] chunks = new ChunkInfo[table.size()];
        boolean sorted = true;
        for (int i = 0; i < chunks.length; i++) {
            chunks[i] = table.get(i);
            sorted &= i == 0 || chunks[i - 1].uncompressedOffset() <= chunks[i].uncompressedOffset();
        }
        if (!sorted) {
            Arrays.sort(chunks, Comparator.comparingLong(ChunkInfo::uncompressedOffset));
        }
        this.byOffset = chunks;
    }

    @Override
    public BlobInfo blob() {
        return info;
    }

    @Override
    public int fill(long offset, long length) throws FsException {
        if (closed) {
            throw new FsException(Errno.EBADF, "blob cache " + info.blobId() + " is closed");
        }
        if (offset < 0 || length < 0) {
            throw new FsException(Errno.EINVAL, "range " + offset + "+" + length + " of blob " + info.blobId());
        }
        List<ChunkInfo> chunks = overlapping(offset, offset + length);
        if (chunks.isEmpty()) {
            return 0;
        }
        try {
            return blob.fill(chunks);
        } catch (IOException e) {
            throw Errors.toFsException(e);
        }
    }

    /** Chunks whose uncompressed range meets {@code [start, end)}. */
    List<ChunkInfo> overlapping(long start, long end) {
        // The first chunk that ends after start: chunks do not overlap, so ends ascend with offsets.
        int lo = 0;
        int hi = byOffset.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (byOffset[mid].uncompressedEnd() <= start) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        List<ChunkInfo> out = new ArrayList<>();
        for (int i = lo; i < byOffset.length && byOffset[i].uncompressedOffset() < end; i++) {
            out.add(byOffset[i]);
        }
        return out;
    }

    @Override
    public int prefetchAll() {
        return closed ? 0 : device.prefetchAll();
    }

    @Override
    public int readyChunks() {
        return blob.readyCount();
    }

    @Override
    public boolean isAllDataReady() {
        return blob.isAllReady();
    }

    @Override
    public boolean awaitPrefetch(Duration timeout) throws InterruptedException {
        return device.awaitPrefetch(timeout);
    }

    @Override
    public void close() {
        closed = true;
        device.close();
    }
}
