package dev.jnydus.fscache.fanotify;

import dev.jnydus.cache.device.BlobDevice;
import dev.jnydus.cache.device.BlobInfo;
import dev.jnydus.cache.device.ChunkInfo;
import dev.jnydus.cache.device.ChunkTable;
import dev.jnydus.common.Errno;
import dev.jnydus.common.FsException;
import dev.jnydus.common.Ticker;
import dev.jnydus.sys.Fanotify;
import dev.jnydus.sys.Fd;
import dev.jnydus.sys.FileId;
import dev.jnydus.sys.MountInfo;
import dev.jnydus.sys.Mounts;
import dev.jnydus.sys.NewMountApi;
import dev.jnydus.sys.PageCache;
import dev.jnydus.sys.PollSet;
import dev.jnydus.sys.Sys;
import dev.jnydus.sys.UnixSockets;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A RAFS v6 image mounted by the kernel's EROFS driver over the blob cache's sparse data files,
 * which are filled on fanotify pre-content events: the lifecycle of spec section 10.
 *
 * <p>Start ({@link Builder#start}): the caller has opened the blob device, so the cache holds its
 * data files open from before they are marked and its own writes raise no events (6.2). Then a
 * group is created with an unlimited queue (6.4), every incomplete data file is marked (complete
 * ones are left alone: they are opened unmarked and never raise events, section 7), the event loop
 * starts, and only then is the bootstrap mounted with one {@code device=} per blob, in blob-table
 * order, through the new mount API (no loop device: loop I/O raises no events, section 1). A
 * mark made after the mount would never fire (6.1).
 *
 * <p>A previous daemon's mount ({@code erofs} at the mountpoint, from the same bootstrap) is
 * adopted instead of mounted over: after a crash the kernel dropped the old marks and let pending
 * reads through, so the files are marked again (the mount's backing files consult the marks that
 * exist at each access) and the mount's page cache is dropped, in case a read during the gap left
 * zeros there (10.8).
 *
 * <p>Stop ({@link #close}): unmount first, serving events meanwhile, and close the group only once
 * the mount is gone; closing it earlier would let every pending and later read of a hole through
 * as zeros (6.3). While the mount is busy, events keep being served for the stop grace, then
 * reads that need a fetch are denied with EIO until the unmount succeeds.
 *
 * <p>Handover ({@link #handOver}, {@link Builder#takeOver}): the group descriptor is passed over
 * a Unix socket. The old daemon stops reading events and answers those it has read before sending;
 * events queued meanwhile wait in the kernel for the new daemon, which reads them with the same
 * group, so there is no moment without a holder of the group (10.7).
 */
public final class FanotifyMount implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FanotifyMount.class);
    static final int GROUP_FLAGS = Fanotify.CLASS_PRE_CONTENT | Fanotify.CLOEXEC | Fanotify.NONBLOCK
            | Fanotify.UNLIMITED_QUEUE | Fanotify.REPORT_TID;
    /** Event descriptors are writable: fills go through them and raise no events (6.2). */
    static final int EVENT_FILE_FLAGS = Sys.O_RDWR | Sys.O_CLOEXEC;
    private static final int O_PATH = 010000000;
    private static final byte ACK = 'k';

    private final Path bootstrap;
    private final Path mountpoint;
    private final Fd group;
    private final FanotifyServer server;
    private final List<CacheFile> files;
    private final boolean adopted;
    private final Duration stopGrace;
    private final Ticker ticker;
    private final CompletableFuture<Throwable> failure;
    private volatile boolean handedOver;
    private boolean closed;
    private boolean interruptedWhileUnmounting;

    private FanotifyMount(Path bootstrap, Path mountpoint, Fd group, FanotifyServer server, List<CacheFile> files,
                          boolean adopted, Duration stopGrace, Ticker ticker, CompletableFuture<Throwable> failure) {
        this.bootstrap = bootstrap;
        this.mountpoint = mountpoint;
        this.group = group;
        this.server = server;
        this.files = files;
        this.adopted = adopted;
        this.stopGrace = stopGrace;
        this.ticker = ticker;
        this.failure = failure;
    }

    public static Builder builder(Path bootstrap, BlobDevice device, Path mountpoint) {
        return new Builder(bootstrap, device, mountpoint);
    }

    public Path mountpoint() {
        return mountpoint;
    }

    /** Whether this mount was a previous daemon's, found at start and served again. */
    public boolean adopted() {
        return adopted;
    }

    public FanotifyMetrics metrics() {
        return server.metrics();
    }

    /** Completes with the cause if serving failed for good (the loop died): the daemon should stop. */
    public CompletableFuture<Throwable> failure() {
        return failure;
    }

    /** Whether a busy stop has passed its grace and denies reads that need a fetch. */
    boolean isDenyingFills() {
        return server.isDenyingFills();
    }

    /** The data files the mount reads, in device order (for logs and tests). */
    public List<Path> cacheFiles() {
        List<Path> out = new ArrayList<>();
        for (CacheFile f : files) {
            out.add(f.path);
        }
        return out;
    }

    /**
     * Hands the live mount to another daemon over {@code socket}: stops reading events, answers
     * those already read, sends the group descriptor, and waits up to {@code ackTimeout} for the
     * receiver to say it is serving. On any failure this mount goes on serving and the exception
     * says why. Afterwards {@link #close} leaves the mount alone.
     */
    public synchronized void handOver(Fd socket, Duration ackTimeout) throws IOException, InterruptedException {
        if (handedOver || closed) {
            throw new IllegalStateException("mount " + mountpoint + " was already handed over or closed");
        }
        server.pause();
        try {
            ByteBuffer msg = new HandoverMessage(mountpoint.toString(), bootstrap.toString()).encode();
            UnixSockets.sendWithFds(socket, msg, group);
            while (msg.hasRemaining()) {
                Sys.write(socket, msg);
            }
            awaitAck(socket, ackTimeout);
            handedOver = true;
            LOG.info("handed the fanotify mount {} over; this daemon no longer serves it", mountpoint);
        } catch (IOException | RuntimeException e) {
            LOG.warn("handover of {} failed ({}); serving it again", mountpoint, e.getMessage());
            server.start();
            throw e;
        }
    }

    private static void awaitAck(Fd socket, Duration timeout) throws IOException {
        PollSet ps = new PollSet(new Fd[] {socket}, new short[] {Sys.POLLIN});
        if (ps.poll((int) Math.min(Integer.MAX_VALUE, timeout.toMillis())) == 0) {
            throw new FsException(Errno.ETIMEDOUT, "no acknowledgement from the new daemon within " + timeout);
        }
        ByteBuffer b = ByteBuffer.allocateDirect(1);
        if (Sys.read(socket, b) != 1 || b.get(0) != ACK) {
            throw new FsException(Errno.EPROTO, "the new daemon closed the handover socket without acknowledging");
        }
    }

    /**
     * Unmounts (unless handed over) and only then stops serving and closes the group. Blocks
     * while the mount is busy: see the class comment. Idempotent.
     */
    @Override
    public synchronized void close() throws InterruptedException {
        if (closed) {
            return;
        }
        closed = true;
        if (!handedOver) {
            unmount();
        }
        try {
            server.close();
        } finally {
            // Safe now: the mount is gone (or in another daemon's hands), nothing can read a hole.
            group.close();
        }
        FanotifyMetrics m = server.metrics();
        LOG.info("fanotify mount {} stopped: {} events, {} allowed from the cache, {} filled ({} bytes written), "
                + "{} fill failures, {} rejected, {} blobs complete", mountpoint, m.events(), m.allowedFilled(),
                m.fills(), m.bytesWritten(), m.fillFailures(), m.rejected(), m.completedBlobs());
    }

    /**
     * Retries until the mount is gone. Not interruptible: giving up would mean closing the group
     * over a live mount, or leaving it to the JVM's exit, which does the same. An interrupt is
     * kept and re-raised once the mount is gone.
     */
    private void unmount() {
        interruptedWhileUnmounting = false;
        unmountUninterruptibly();
        if (interruptedWhileUnmounting) {
            Thread.currentThread().interrupt();
        }
    }

    private void unmountUninterruptibly() {
        long start = ticker.nanos();
        long lastReport = start;
        boolean denying = false;
        while (true) {
            try {
                Mounts.umount2(mountpoint, 0);
                LOG.info("unmounted {}", mountpoint);
                return;
            } catch (FsException e) {
                if (e.errno() == Errno.EINVAL || e.errno() == Errno.ENOENT) {
                    LOG.info("{} is no longer mounted", mountpoint);
                    return;
                }
                long now = ticker.nanos();
                if (!denying && now - start >= stopGrace.toNanos()) {
                    denying = true;
                    server.denyFills(true);
                    LOG.warn("{} is busy ({}); reads that need a fetch now get EIO until it can be unmounted",
                            mountpoint, e.getMessage());
                }
                if (now - lastReport >= Duration.ofSeconds(10).toNanos()) {
                    lastReport = now;
                    LOG.warn("still waiting to unmount {}: {}", mountpoint, e.getMessage());
                }
            }
            if (failure.isDone()) {
                // The loop died: bring it back, denying fills, so that readers are answered and
                // let go of the mount instead of waiting for ever.
                server.denyFills(true);
                try {
                    server.start();
                } catch (InterruptedException e) {
                    interruptedWhileUnmounting = true;
                }
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                interruptedWhileUnmounting = true;
            }
        }
    }

    /** Builds a {@link FanotifyMount}. */
    public static final class Builder {
        private final Path bootstrap;
        private final BlobDevice device;
        private final Path mountpoint;
        private Map<Integer, List<ChunkInfo>> readableChunks = Map.of();
        private int threads = 16;
        private IoThreads ioThreads = new IoThreads();
        private Duration stopGrace = Duration.ofSeconds(2);
        private Ticker ticker = Ticker.system();

        private Builder(Path bootstrap, BlobDevice device, Path mountpoint) {
            this.bootstrap = bootstrap;
            this.device = device;
            this.mountpoint = mountpoint;
        }

        /**
         * The chunks the image's files use, by blob index (what the bootstrap's chunk table names).
         * A range of a data file is served by the chunks it covers from this list; a blob is
         * complete, and loses its mark, once these are all in its file. A blob left out here is
         * described by its chunk table from the device, all of whose chunks then count.
         */
        public Builder readableChunks(Map<Integer, List<ChunkInfo>> v) {
            readableChunks = Map.copyOf(v);
            return this;
        }

        /** Fill workers: how many events can wait for the backend at once. */
        public Builder threads(int v) {
            if (v < 1) {
                throw new IllegalArgumentException("fill threads " + v + " < 1");
            }
            threads = v;
            return this;
        }

        /** The registry of the daemon's cache I/O threads (the fill workers join it too). */
        public Builder ioThreads(IoThreads v) {
            ioThreads = v;
            return this;
        }

        /** How long a busy mount keeps being served at stop before fetches are denied. */
        public Builder stopGrace(Duration v) {
            stopGrace = v;
            return this;
        }

        public Builder ticker(Ticker v) {
            ticker = v;
            return this;
        }

        /** Marks the data files, starts serving and mounts (or adopts a previous daemon's mount). */
        public FanotifyMount start() throws IOException, InterruptedException {
            Path boot = bootstrap.toRealPath();
            Path mp = mountpoint.toRealPath();
            List<CacheFile> files = describe();
            Optional<MountInfo.Mount> existing = MountInfo.read().top(mp);
            boolean adopt = false;
            if (existing.isPresent() && existing.get().fsType().equals("erofs")) {
                if (!existing.get().source().equals(boot.toString())) {
                    throw new FsException(Errno.EBUSY, mp + " already holds an EROFS mount of "
                            + existing.get().source() + ", not of " + boot);
                }
                adopt = true;
            }
            CompletableFuture<Throwable> failure = new CompletableFuture<>();
            Fd group = Fanotify.init(GROUP_FLAGS, EVENT_FILE_FLAGS);
            FanotifyServer server = null;
            try {
                int marked = 0;
                for (CacheFile f : files) {
                    if (!f.becameComplete(device)) {
                        Fanotify.mark(group, Fanotify.MARK_ADD, Fanotify.PRE_ACCESS, f.path);
                        marked++;
                    }
                }
                server = newServer(group, files, failure);
                server.start();
                if (adopt) {
                    LOG.info("{} is already an EROFS mount of {} (a previous daemon's): serving it again, "
                            + "{} of {} data files marked", mp, boot, marked, files.size());
                    dropPageCache(mp);
                } else {
                    mount(boot, files, mp);
                    LOG.info("mounted {} at {} (erofs, {} devices, {} of them marked for on-demand filling)", boot, mp,
                            files.size(), marked);
                }
                return new FanotifyMount(boot, mp, group, server, files, adopt, stopGrace, ticker, failure);
            } catch (IOException | RuntimeException | InterruptedException e) {
                if (server != null) {
                    server.close();
                }
                group.close();
                throw e;
            }
        }

        /**
         * Takes over a live mount from the daemon at the other end of {@code socket}
         * ({@link FanotifyMount#handOver}). The blob device must be open already.
         */
        public FanotifyMount takeOver(Fd socket) throws IOException, InterruptedException {
            Path boot = bootstrap.toRealPath();
            Path mp = mountpoint.toRealPath();
            List<CacheFile> files = describe();
            Received r = receive(socket);
            Fd group = r.group;
            FanotifyServer server = null;
            try {
                if (!r.message.mountpoint().equals(mp.toString()) || !r.message.bootstrap().equals(boot.toString())) {
                    throw new FsException(Errno.EINVAL, "handover is for " + r.message.bootstrap() + " at "
                            + r.message.mountpoint() + ", not for " + boot + " at " + mp);
                }
                Optional<MountInfo.Mount> existing = MountInfo.read().top(mp);
                if (existing.isEmpty() || !existing.get().fsType().equals("erofs")
                        || !existing.get().source().equals(boot.toString())) {
                    throw new FsException(Errno.EINVAL, mp + " is not an EROFS mount of " + boot);
                }
                // Marks belong to the group and are all still there; adding one again is harmless.
                for (CacheFile f : files) {
                    if (f.becameComplete(device)) {
                        try {
                            Fanotify.mark(group, Fanotify.MARK_REMOVE, Fanotify.PRE_ACCESS, f.path);
                        } catch (FsException e) {
                            if (e.errno() != Errno.ENOENT) {
                                throw e;
                            }
                        }
                    } else {
                        Fanotify.mark(group, Fanotify.MARK_ADD, Fanotify.PRE_ACCESS, f.path);
                    }
                }
                CompletableFuture<Throwable> failure = new CompletableFuture<>();
                server = newServer(group, files, failure);
                server.start();
                ByteBuffer ack = ByteBuffer.allocateDirect(1).put(0, ACK);
                Sys.write(socket, ack);
                LOG.info("took over the fanotify mount {} of {}", mp, boot);
                return new FanotifyMount(boot, mp, group, server, files, true, stopGrace, ticker, failure);
            } catch (IOException | RuntimeException | InterruptedException e) {
                // Closing our copy of the group is safe: the sender keeps its own until it is
                // acknowledged, and without an acknowledgement it serves on.
                if (server != null) {
                    server.close();
                }
                group.close();
                throw e;
            }
        }

        private FanotifyServer newServer(Fd group, List<CacheFile> files, CompletableFuture<Throwable> failure)
                throws FsException {
            return new FanotifyServer(group, device, files, ioThreads, threads, ticker, t -> {
                if (failure.complete(t)) {
                    LOG.error("fanotify serving of {} failed; the daemon must stop: {}", mountpoint, t.toString());
                }
            });
        }

        private record Received(HandoverMessage message, Fd group) {
        }

        private static Received receive(Fd socket) throws IOException {
            ByteBuffer buf = ByteBuffer.allocate(4 + HandoverMessage.MAX_BYTES);
            UnixSockets.Received r = UnixSockets.recvWithFds(socket, buf, 1);
            if (r.fds().size() != 1) {
                for (Fd fd : r.fds()) {
                    fd.close();
                }
                throw new FsException(Errno.EPROTO, "handover carried " + r.fds().size() + " descriptors, expected 1"
                        + (r.controlTruncated() ? " (truncated)" : ""));
            }
            Fd group = r.fds().get(0);
            try {
                while (buf.position() < 4 || buf.position() < 4 + lengthOf(buf)) {
                    int n = Sys.read(socket, buf);
                    if (n == 0) {
                        throw new FsException(Errno.EPROTO, "handover message cut short");
                    }
                }
                byte[] text = new byte[lengthOf(buf)];
                buf.flip().position(4);
                buf.get(text);
                return new Received(HandoverMessage.decode(text), group);
            } catch (IOException | RuntimeException e) {
                group.close();
                throw e;
            }
        }

        private static int lengthOf(ByteBuffer buf) throws FsException {
            if (buf.position() < 4) {
                return 0;
            }
            int n = HandoverMessage.announcedLength(buf);
            if (n < 0) {
                throw new FsException(Errno.EPROTO, "handover message of an impossible length");
            }
            return n;
        }

        /** One cache file per blob, in blob-table (= EROFS device) order. */
        private List<CacheFile> describe() throws IOException {
            List<BlobInfo> blobs = new ArrayList<>(device.blobs());
            blobs.sort(Comparator.comparingInt(BlobInfo::index));
            List<CacheFile> out = new ArrayList<>();
            for (int i = 0; i < blobs.size(); i++) {
                BlobInfo b = blobs.get(i);
                if (b.index() != i) {
                    throw new IllegalArgumentException("blob indexes must be 0.." + (blobs.size() - 1) + ", found "
                            + b.index() + " at position " + i);
                }
                Path p = device.uncompressedDataFile(i).orElseThrow(() -> new IllegalArgumentException("blob "
                        + b.blobId() + " has no uncompressed cache file: the fanotify mode needs a blobcache that "
                        + "stores chunks uncompressed (cache type blobcache, compressed false)"));
                out.add(new CacheFile(i, b.blobId(), p, FileId.of(p), Files.size(p), new DeviceChunks(b.blobId(),
                        chunksOf(b))));
            }
            return out;
        }

        private List<ChunkInfo> chunksOf(BlobInfo b) {
            List<ChunkInfo> named = readableChunks.get(b.index());
            if (named != null) {
                return named;
            }
            ChunkTable t = b.chunkTable();
            if (t == null) {
                throw new IllegalArgumentException("blob " + b.blobId() + ": its chunk layout is unknown (no chunk "
                        + "table, and none given from the bootstrap)");
            }
            List<ChunkInfo> all = new ArrayList<>(t.size());
            for (int i = 0; i < t.size(); i++) {
                all.add(t.get(i));
            }
            return all;
        }

        /** The new mount API: one {@code device} parameter per blob, no option-string limits. */
        private static void mount(Path boot, List<CacheFile> files, Path mp) throws IOException {
            List<Fd> pathFds = new ArrayList<>();
            try {
                List<Map.Entry<String, String>> params = new ArrayList<>();
                params.add(Map.entry("source", shortPath(boot, pathFds)));
                for (CacheFile f : files) {
                    params.add(Map.entry("device", shortPath(f.path, pathFds)));
                }
                NewMountApi.mount("erofs", params, NewMountApi.MOUNT_ATTR_RDONLY | NewMountApi.MOUNT_ATTR_NOSUID
                        | NewMountApi.MOUNT_ATTR_NODEV, mp);
            } finally {
                for (Fd fd : pathFds) {
                    fd.close();
                }
            }
        }

        /**
         * A path fsconfig accepts (at most 255 bytes): the path itself, or for a longer one
         * {@code /proc/self/fd/N} of an {@code O_PATH} descriptor, which the kernel follows to the
         * same inode when it opens the device (O_PATH itself opens nothing, so raises no event).
         */
        private static String shortPath(Path p, List<Fd> keep) throws FsException {
            String s = p.toString();
            if (s.getBytes(StandardCharsets.UTF_8).length < NewMountApi.MAX_VALUE_BYTES) {
                return s;
            }
            Fd fd = Sys.open(p, O_PATH);
            keep.add(fd);
            return "/proc/self/fd/" + fd.get();
        }

        /**
         * Drops the page cache of every regular file of the mount. Opening a file of the mount reads
         * no data, so this raises no events; it must not run on the event loop anyway.
         */
        private static void dropPageCache(Path mp) throws IOException {
            int[] n = {0};
            try (Stream<Path> s = Files.walk(mp)) {
                s.forEach(p -> {
                    try {
                        BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class,
                                LinkOption.NOFOLLOW_LINKS);
                        if (a.isRegularFile() && a.size() > 0) {
                            try (Fd fd = Sys.open(p, Sys.O_RDONLY)) {
                                PageCache.dropClean(fd);
                                n[0]++;
                            }
                        }
                    } catch (IOException e) {
                        LOG.debug("dropping the page cache of {}: {}", p, e.toString());
                    }
                });
            }
            LOG.info("dropped the page cache of {} files of {}", n[0], mp);
        }
    }
}
