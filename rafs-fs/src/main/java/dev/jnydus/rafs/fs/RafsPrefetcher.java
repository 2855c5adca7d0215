package dev.jnydus.rafs.fs;

import dev.jnydus.cache.device.BlobDevice;
import dev.jnydus.cache.device.BlobInfo;
import dev.jnydus.cache.device.ChunkInfo;
import dev.jnydus.cache.device.PrefetchPriority;
import dev.jnydus.rafs.metadata.FileExtent;
import dev.jnydus.rafs.metadata.RafsFormatException;
import dev.jnydus.rafs.metadata.RafsInode;
import dev.jnydus.rafs.metadata.RafsSuper;
import dev.jnydus.rafs.metadata.RafsVersion;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The prefetch a RAFS mount starts with (spec 7.2, upstream {@code Rafs::do_prefetch}): blob
 * prefetch regions, then the hinted files ({@code --prefetch-files}, else the bootstrap's prefetch
 * table), then everything when asked to ({@code prefetch_all}, a hint list of just "/", or a
 * prefetch table naming the root). A directory stands for every non-empty regular file below it;
 * a hardlinked file is fetched once. Chunks are handed to the device in batches; the device merges
 * them, skips what is cached and runs them on its prefetch workers, so this walk only queues work.
 *
 * <p>A large file ({@link #LARGE_FILE} bytes or more) is fetched whole, as upstream does, but not
 * ahead of the rest: its first {@link #LARGE_FILE_HEAD} bytes (headers, indexes: what an opener
 * reads first) go with the other files, the remainder to the device's low-priority lane, which
 * runs after everything else, one request at a time. A listed 128 MB {@code lib/modules} of which
 * the workload reads a few pages then no longer fills the link ahead of the reads that need them.
 */
public final class RafsPrefetcher {
    private static final Logger LOG = LoggerFactory.getLogger(RafsPrefetcher.class);
    /** Chunks per device call, as upstream's 1024 descriptors per batch. */
    static final int BATCH = 1024;
    /** Files at least this large are prefetched head first and their remainder in the low lane. */
    static final long LARGE_FILE = 16L << 20;
    /** The part of a large file prefetched with the other files. */
    static final long LARGE_FILE_HEAD = 1L << 20;

    private final RafsSuper sb;
    private final BlobDevice device;
    private final CacheBlobs blobs;
    private final long largeFile;
    private final long largeFileHead;
    private final Set<Long> seenFiles = new HashSet<>();
    private final List<ChunkInfo> batch = new ArrayList<>(BATCH);
    private final List<ChunkInfo> lowBatch = new ArrayList<>();
    private int queued;

    public RafsPrefetcher(RafsSuper sb, BlobDevice device) {
        this(sb, device, LARGE_FILE, LARGE_FILE_HEAD);
    }

    /** Tests: other thresholds for a large file and its head. */
    RafsPrefetcher(RafsSuper sb, BlobDevice device, long largeFile, long largeFileHead) {
        this.sb = sb;
        this.device = device;
        this.blobs = new CacheBlobs(sb);
        this.largeFile = largeFile;
        this.largeFileHead = largeFileHead;
    }

    /**
     * Queues the mount-time prefetch on the calling thread.
     *
     * @param files the {@code --prefetch-files} paths, or empty to use the bootstrap's table
     * @param prefetchAll {@code prefetch_all} of the RAFS prefetch config
     * @return the number of merged requests the device queued
     */
    public int run(Optional<List<String>> files, boolean prefetchAll) {
        try {
            return doRun(files, prefetchAll);
        } catch (RafsFormatException | RuntimeException e) {
            LOG.warn("prefetch stopped: {}", e.toString());
            return queued;
        }
    }

    private int doRun(Optional<List<String>> files, boolean prefetchAll) throws RafsFormatException {
        for (BlobInfo b : device.blobs()) {
            if (b.prefetchSize() > 0) {
                queued += device.prefetchBlobRange(b.index(), b.prefetchOffset(), b.prefetchSize());
            }
        }
        long root = sb.rootIno();
        boolean startupAll = files.isPresent() && files.get().size() == 1 && files.get().get(0).equals("/");
        long[] table = sb.prefetchInodes();
        boolean inlayAll = files.isEmpty() && contains(table, root);
        boolean rootHinted = false;
        if (!startupAll && !inlayAll) {
            List<Long> hinted = new ArrayList<>();
            if (files.isPresent()) {
                for (String f : files.get()) {
                    RafsInode i = resolve(f);
                    if (i == null) {
                        LOG.info("prefetch: {} is not in the image, skipped", f);
                    } else {
                        hinted.add(i.ino());
                    }
                }
            } else {
                for (long ino : table) {
                    hinted.add(ino);
                }
            }
            for (long ino : hinted) {
                rootHinted |= ino == root;
                prefetchTree(sb.inode(ino));
            }
            flush();
            flushLow();
        }
        if (!rootHinted && (inlayAll || prefetchAll || startupAll)) {
            int all = sb.version() == RafsVersion.V6 && allHaveTables() ? device.prefetchAll() : -1;
            if (all >= 0) {
                queued += all;
            } else {
                prefetchTree(sb.inode(root));
                flush();
                flushLow();
            }
        }
        LOG.info("prefetch queued {} requests", queued);
        return queued;
    }

    private boolean allHaveTables() {
        for (BlobInfo b : device.blobs()) {
            if (b.chunkTable() == null) {
                return false;
            }
        }
        return true;
    }

    private static boolean contains(long[] a, long v) {
        for (long x : a) {
            if (x == v) {
                return true;
            }
        }
        return false;
    }

    /** Walks an absolute path from the root; {@code null} when a component is missing. */
    RafsInode resolve(String path) throws RafsFormatException {
        RafsInode cur = sb.inode(sb.rootIno());
        for (String part : path.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (!cur.isDir()) {
                return null;
            }
            cur = sb.lookup(cur, part.getBytes(StandardCharsets.UTF_8));
            if (cur == null) {
                return null;
            }
        }
        return cur;
    }

    /** Queues a file, or every non-empty regular file below a directory, iteratively. */
    private void prefetchTree(RafsInode start) throws RafsFormatException {
        Deque<RafsInode> dirs = new ArrayDeque<>();
        if (start.isDir()) {
            dirs.add(start);
        } else {
            prefetchFile(start);
        }
        Set<Long> seenDirs = new HashSet<>();
        while (!dirs.isEmpty()) {
            RafsInode d = dirs.poll();
            if (!seenDirs.add(d.ino())) {
                continue;
            }
            List<Long> children = new ArrayList<>();
            sb.readdir(d, 0, (name, ino, type, next) -> {
                boolean dot = name.length == 1 && name[0] == '.' || name.length == 2 && name[0] == '.' && name[1] == '.';
                if (!dot) {
                    children.add(ino);
                }
                return true;
            });
            for (long ino : children) {
                RafsInode c = sb.inode(ino);
                if (c.isDir()) {
                    dirs.add(c);
                } else {
                    prefetchFile(c);
                }
            }
        }
    }

    private void prefetchFile(RafsInode f) throws RafsFormatException {
        if (!f.isReg() || f.size() == 0 || !seenFiles.add(f.ino())) {
            return;
        }
        boolean large = f.size() >= largeFile;
        for (FileExtent e : f.extents(0, f.size())) {
            if (e instanceof FileExtent.Chunk c) {
                ChunkInfo chunk;
                try {
                    chunk = blobs.chunk(c.chunk());
                } catch (RafsFormatException ex) {
                    LOG.warn("prefetch: inode {}: {}", f.ino(), ex.getMessage());
                    continue;
                }
                if (large && e.fileOffset() >= largeFileHead) {
                    lowBatch.add(chunk);
                    continue;
                }
                batch.add(chunk);
                if (batch.size() >= BATCH) {
                    flush();
                }
            }
        }
    }

    /** Queues the remainders of large files, after everything else. */
    private void flushLow() {
        for (int i = 0; i < lowBatch.size(); i += BATCH) {
            queued += device.prefetch(List.copyOf(lowBatch.subList(i, Math.min(lowBatch.size(), i + BATCH))),
                    PrefetchPriority.LOW);
        }
        lowBatch.clear();
    }

    private void flush() {
        if (!batch.isEmpty()) {
            queued += device.prefetch(List.copyOf(batch));
            batch.clear();
        }
    }
}
