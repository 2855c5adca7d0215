package dev.jnydus.cache.file;

import dev.jnydus.common.Errno;
import dev.jnydus.common.FsException;
import dev.jnydus.sys.PositionalFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Markers beside a blob's cache files that say "a writer is at work here, and the chunk map on
 * disk may be ahead of the data": {@code <blob_id>.blob.unsynced.<pid>.<n>}, one per writing
 * process and open blob, held under an exclusive flock(2) by its writer for as long as it runs.
 *
 * <p>Why. Ready bits live in a memory-mapped chunk map the kernel writes back whenever it likes;
 * chunk data is written with pwrite and reaches the disk whenever it likes. A power loss, or a
 * copy of the cache directory taken while a writer runs, can keep a ready bit whose data never
 * made it. Syncing the data before every bit would cost an fdatasync per chunk and still not help
 * a copy. Instead a writer makes its marker durable before it sets its first bit, syncs the data
 * and the map when it closes cleanly, and only then removes its marker.
 *
 * <p>A marker nobody holds a lock on (its writer died, the machine rebooted, or it is a copy)
 * means an unclean stop: the bits set then are trusted only after their data validates (see
 * {@link BlobCacheFiles}). Such stale markers are removed once every chunk they cast doubt on has
 * been validated or dropped, never before. A marker is created under another name, locked, synced
 * and then renamed into place, so a marker name always names a locked file while its writer
 * lives. Several processes may share a cache directory (the snapshotter's daemons do): each has
 * its own marker, so one closing cleanly never vouches for another that is still writing.
 */
final class UnsyncedMarkers {
    private static final Logger LOG = LoggerFactory.getLogger(UnsyncedMarkers.class);
    static final String INFIX = ".blob.unsynced.";
    private static final String TMP_INFIX = ".blob.unsynced-new.";
    private static final AtomicLong SEQUENCE = new AtomicLong();

    private final Path dir;
    private final String blobId;
    private final List<Path> stale;
    private volatile PositionalFile own;
    private Path ownPath;

    private UnsyncedMarkers(Path dir, String blobId, List<Path> stale) {
        this.dir = dir;
        this.blobId = blobId;
        this.stale = stale;
    }

    /** Finds the markers whose writers stopped without syncing this blob's cache. */
    static UnsyncedMarkers scan(Path dir, String blobId) throws IOException {
        List<Path> stale = new ArrayList<>();
        for (Path p : list(dir, blobId + INFIX)) {
            try (PositionalFile f = PositionalFile.openExisting(p)) {
                if (f.tryLock()) {
                    stale.add(p);
                }
            } catch (FsException e) {
                if (e.errno() != Errno.ENOENT) {
                    // Unusable: count it as stale, the safe side.
                    stale.add(p);
                }
            }
        }
        // Leftovers of a writer that died while creating its marker: it had set no bit yet.
        for (Path p : list(dir, blobId + TMP_INFIX)) {
            removeIfNotHeld(p);
        }
        return new UnsyncedMarkers(dir, blobId, List.copyOf(stale));
    }

    /** Removes every marker of {@code blobId} nobody holds (when its cache entry is deleted). */
    static void removeAll(Path dir, String blobId) throws IOException {
        for (Path p : list(dir, blobId + ".blob.unsynced")) {
            removeIfNotHeld(p);
        }
    }

    private static List<Path> list(Path dir, String prefix) throws IOException {
        List<Path> out = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, p -> p.getFileName().toString().startsWith(prefix))) {
            s.forEach(out::add);
        }
        return out;
    }

    /** Whether a writer stopped without syncing: bits on disk may be ahead of the data. */
    boolean uncleanStop() {
        return !stale.isEmpty();
    }

    /** Makes this process's marker durable and holds it; call before the first ready bit is set. */
    void beforeFirstReadyBit() throws IOException {
        if (own != null) {
            return;
        }
        synchronized (this) {
            if (own != null) {
                return;
            }
            String name = ProcessHandle.current().pid() + "." + SEQUENCE.incrementAndGet();
            Path tmp = dir.resolve(blobId + TMP_INFIX + name);
            Path marker = dir.resolve(blobId + INFIX + name);
            PositionalFile f = PositionalFile.openOrCreate(tmp);
            try {
                if (!f.tryLock()) {
                    throw new IOException("cache marker " + tmp + " is locked by someone else");
                }
                f.write(ByteBuffer.wrap(("pid " + ProcessHandle.current().pid() + "\n")
                        .getBytes(StandardCharsets.US_ASCII)), 0);
                f.syncData();
                Files.move(tmp, marker, StandardCopyOption.ATOMIC_MOVE);
                PositionalFile.syncDirectory(dir);
            } catch (IOException | RuntimeException e) {
                f.close();
                Files.deleteIfExists(tmp);
                throw e;
            }
            ownPath = marker;
            own = f;
        }
    }

    /**
     * After a clean close (data and map synced): removes this process's marker and, when
     * {@code doubtsResolved}, the stale markers found at open (those nobody has locked since).
     */
    synchronized void afterCleanClose(boolean doubtsResolved) {
        if (own != null) {
            try {
                Files.deleteIfExists(ownPath);
            } catch (IOException e) {
                LOG.warn("cannot remove cache marker {}: {}", ownPath, e.toString());
            }
            own.close();
            own = null;
        }
        if (doubtsResolved) {
            for (Path p : stale) {
                removeIfNotHeld(p);
            }
        }
    }

    /** Closes without removing anything (the data could not be synced). */
    synchronized void abandon() {
        if (own != null) {
            own.close();
            own = null;
        }
    }

    private static void removeIfNotHeld(Path p) {
        try (PositionalFile f = PositionalFile.openExisting(p)) {
            if (f.tryLock()) {
                Files.deleteIfExists(p);
            }
        } catch (FsException e) {
            if (e.errno() != Errno.ENOENT) {
                LOG.warn("cannot remove cache marker {}: {}", p, e.getMessage());
            }
        } catch (IOException e) {
            LOG.warn("cannot remove cache marker {}: {}", p, e.toString());
        }
    }
}
