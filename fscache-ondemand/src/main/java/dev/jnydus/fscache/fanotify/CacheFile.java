package dev.jnydus.fscache.fanotify;

import dev.jnydus.cache.device.BlobDevice;
import dev.jnydus.cache.device.ChunkInfo;
import dev.jnydus.sys.FileId;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One EROFS extra device: the sparse cache file of one blob, which inode it is, how long, and
 * which chunks fill it. Whether a chunk may be read from it is the cache's to say ({@link
 * BlobDevice#isReadyForDirectRead}): its chunk map, set only after a chunk's bytes were written,
 * minus the chunks an unclean stop left unverified, which the kernel must not read unchecked.
 */
final class CacheFile {
    static final long BLOCK = 4096;

    final int blobIndex;
    final String blobId;
    final Path path;
    final FileId id;
    final long size;
    final DeviceChunks chunks;
    /** Chunks [0, readyPrefix) in file order are known to be in the file. */
    private int readyPrefix;
    private volatile boolean complete;

    CacheFile(int blobIndex, String blobId, Path path, FileId id, long size, DeviceChunks chunks) {
        this.blobIndex = blobIndex;
        this.blobId = blobId;
        this.path = path;
        this.id = id;
        this.size = size;
        this.chunks = chunks;
    }

    /**
     * The chunks of an event's range that are not in the file yet. The range is rounded out to
     * 4 KiB blocks (EROFS reads whole blocks) and cut at the end of the file.
     */
    List<ChunkInfo> missing(BlobDevice device, long offset, long count) {
        long start = offset & -BLOCK;
        long end = offset > Long.MAX_VALUE - count - BLOCK ? Long.MAX_VALUE : (offset + count + BLOCK - 1) & -BLOCK;
        end = Math.min(end, size);
        List<ChunkInfo> out = new ArrayList<>(0);
        if (complete) {
            return out;
        }
        for (ChunkInfo c : chunks.overlapping(start, end)) {
            if (!device.isReadyForDirectRead(c)) {
                out.add(c);
            }
        }
        return out;
    }

    boolean isComplete() {
        return complete;
    }

    /**
     * Whether every chunk is in the file now, advancing a cursor over the chunks known to be there
     * (each check costs one chunk-map lookup unless chunks became ready since). Returns true only
     * to the one caller that saw the file become complete.
     */
    synchronized boolean becameComplete(BlobDevice device) {
        if (complete) {
            return false;
        }
        while (readyPrefix < chunks.size() && device.isReadyForDirectRead(chunks.get(readyPrefix))) {
            readyPrefix++;
        }
        if (readyPrefix < chunks.size()) {
            return false;
        }
        complete = true;
        return true;
    }

    @Override
    public String toString() {
        return "blob " + blobId + " (" + path + ")";
    }
}
