package dev.jnydus.fscache.fanotify;

import dev.jnydus.cache.device.BlobDevice;
import dev.jnydus.cache.device.BlobIoVec;
import dev.jnydus.cache.device.ChunkInfo;
import dev.jnydus.common.Errno;
import dev.jnydus.common.FsException;
import dev.jnydus.common.Ticker;
import dev.jnydus.sys.Fanotify;
import dev.jnydus.sys.Fd;
import dev.jnydus.sys.FileId;
import dev.jnydus.sys.PollSet;
import dev.jnydus.sys.Sys;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers the pre-content events of one group (spec section 5): one loop thread reads events and
 * answers those it can without I/O; fill workers fetch the rest through the blob device and answer
 * when the bytes are in the cache file.
 *
 * <p>Rules kept here:
 * <ul>
 *   <li>Every event descriptor has one owner, which answers it exactly once and then closes it
 *       (answer first: the kernel finds the event by descriptor number). The loop owns it until
 *       it hands the event to a worker.</li>
 *   <li>Allow only when every chunk of the range is in the file: the chunk map says so, or the
 *       worker wrote the bytes through the event descriptor itself ({@link EventFdSink}). A fetch
 *       that fails denies with EIO, never allows: an allowed hole reads as zeros.</li>
 *   <li>The loop thread does no I/O on cache files and never reads the EROFS mount: an access
 *       that raised an event it has to answer would wait for itself (spec 6.2).</li>
 *   <li>Events without a range, for a file that is not one of ours, or raised by a thread of the
 *       daemon's own ({@link IoThreads}) are answered at once: deny, deny, allow.</li>
 *   <li>A queue overflow means accesses were let through unfilled: it is fatal
 *       ({@code onFatal}); groups made here have an unlimited queue, so it does not happen.</li>
 * </ul>
 * Identical ranges in flight are not coalesced here: the device fetches each chunk once however
 * many readers wait for it, and each waiting event only costs its own write of the chunk's bytes.
 */
final class FanotifyServer {
    private static final Logger LOG = LoggerFactory.getLogger(FanotifyServer.class);
    private static final int EVENT_BUFFER = 64 * 1024;
    private static final int DENY_EIO = Fanotify.denyWithErrno(Errno.EIO.number());

    private final Fd group;
    private final BlobDevice device;
    private final Map<FileId, CacheFile> files;
    private final IoThreads ioThreads;
    private final ThreadPoolExecutor workers;
    private final Consumer<Throwable> onFatal;
    private final FillFailureLog failureLog;
    private final Fd wake;
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(EVENT_BUFFER);

    private final LongAdder events = new LongAdder();
    private final LongAdder allowedFilled = new LongAdder();
    private final LongAdder fills = new LongAdder();
    private final LongAdder bytesWritten = new LongAdder();
    private final LongAdder fillFailures = new LongAdder();
    private final LongAdder rejected = new LongAdder();
    private final LongAdder ownAccesses = new LongAdder();
    private final AtomicInteger completed = new AtomicInteger();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final Object idle = new Object();

    private volatile boolean stopping;
    private volatile boolean denyFills;
    private volatile Thread loop;
    private volatile CountDownLatch loopExited = new CountDownLatch(0);

    FanotifyServer(Fd group, BlobDevice device, List<CacheFile> cacheFiles, IoThreads ioThreads, int threads,
                   Ticker ticker, Consumer<Throwable> onFatal) throws FsException {
        this.group = group;
        this.device = device;
        this.files = index(cacheFiles);
        this.ioThreads = ioThreads;
        this.onFatal = onFatal;
        this.failureLog = new FillFailureLog(ticker, 5, TimeUnit.SECONDS);
        this.wake = Sys.eventfd(0, Sys.EFD_NONBLOCK);
        AtomicInteger n = new AtomicInteger();
        ThreadFactory named = r -> {
            Thread t = new Thread(r, "fanotify-fill-" + n.getAndIncrement());
            t.setDaemon(true);
            return t;
        };
        this.workers = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                ioThreads.wrap(named));
        for (CacheFile f : cacheFiles) {
            if (f.isComplete()) {
                completed.incrementAndGet();
            }
        }
    }

    private static Map<FileId, CacheFile> index(List<CacheFile> cacheFiles) {
        java.util.HashMap<FileId, CacheFile> m = new java.util.HashMap<>();
        for (CacheFile f : cacheFiles) {
            if (m.put(f.id, f) != null) {
                throw new IllegalArgumentException("two devices share the cache file " + f.path);
            }
        }
        return Map.copyOf(m);
    }

    /**
     * Starts the loop thread, or restarts it after {@link #pause} or after it died; returns once
     * it is polling.
     */
    synchronized void start() throws InterruptedException {
        if (loop != null && loop.isAlive()) {
            return;
        }
        stopping = false;
        CountDownLatch polling = new CountDownLatch(1);
        CountDownLatch exited = new CountDownLatch(1);
        loopExited = exited;
        Thread t = new Thread(() -> runLoop(polling, exited), "fanotify-loop");
        t.setDaemon(true);
        loop = t;
        t.start();
        polling.await();
    }

    /**
     * Stops reading events and waits until every event already read has been answered. Events
     * still queued in the kernel stay there, their readers waiting, for whoever reads next.
     */
    synchronized void pause() throws InterruptedException {
        Thread t = loop;
        if (t == null) {
            return;
        }
        stopping = true;
        wakeLoop();
        loopExited.await();
        loop = null;
        synchronized (idle) {
            while (inFlight.get() > 0) {
                idle.wait();
            }
        }
    }

    /** While set, events that need a fetch are denied with EIO; filled ranges are still allowed. */
    void denyFills(boolean v) {
        denyFills = v;
    }

    boolean isDenyingFills() {
        return denyFills;
    }

    /** Pauses, then stops the workers. The group is the caller's. */
    void close() throws InterruptedException {
        pause();
        workers.shutdown();
        if (!workers.awaitTermination(30, TimeUnit.SECONDS)) {
            LOG.warn("fanotify fill workers did not stop within 30 s");
        }
        wake.close();
    }

    FanotifyMetrics metrics() {
        return new FanotifyMetrics(events.sum(), allowedFilled.sum(), fills.sum(), bytesWritten.sum(),
                fillFailures.sum(), rejected.sum(), ownAccesses.sum(), completed.get(), inFlight.get());
    }

    private void wakeLoop() {
        try {
            Sys.eventfdWrite(wake, 1);
        } catch (FsException e) {
            LOG.warn("cannot wake the fanotify loop: {}", e.getMessage());
        }
    }

    // ---------------------------------------------------------------- the loop thread

    private void runLoop(CountDownLatch polling, CountDownLatch exited) {
        try {
            PollSet ps = new PollSet(new Fd[] {group, wake}, new short[] {Sys.POLLIN, Sys.POLLIN});
            polling.countDown();
            while (!stopping) {
                try {
                    ps.poll(-1);
                } catch (FsException e) {
                    if (e.errno() == Errno.EINTR) {
                        continue;
                    }
                    throw e;
                }
                if (stopping) {
                    break;
                }
                short ev = ps.revents(0);
                if ((ev & Sys.POLLIN) != 0) {
                    readBatches();
                } else if ((ev & (Sys.POLLERR | Sys.POLLHUP | Sys.POLLNVAL)) != 0) {
                    throw new IOException("fanotify group descriptor failed (poll revents 0x"
                            + Integer.toHexString(ev) + ")");
                }
                if (ps.revents(1) != 0) {
                    drainWake();
                }
            }
        } catch (Throwable t) {
            LOG.error("the fanotify loop failed: {}", t.toString(), t);
            onFatal.accept(t);
        } finally {
            polling.countDown();
            exited.countDown();
        }
    }

    private void drainWake() {
        try {
            Sys.eventfdRead(wake);
        } catch (FsException e) {
            // EAGAIN: already drained
        }
    }

    /** Reads until the queue is empty; every event of a batch that was read is handled. */
    private void readBatches() throws IOException, FanotifyProtocolException {
        while (!stopping) {
            buffer.clear();
            int n;
            try {
                n = Sys.read(group, buffer);
            } catch (FsException e) {
                if (e.errno() == Errno.EAGAIN) {
                    return;
                }
                if (e.errno() == Errno.EINTR) {
                    continue;
                }
                throw e;
            }
            if (n <= 0) {
                return;
            }
            buffer.flip();
            for (FanotifyEvent e : FanotifyEventDecoder.decode(buffer)) {
                handle(e);
            }
        }
    }

    private void handle(FanotifyEvent e) {
        if (e.isOverflow()) {
            if (e.fd() >= 0) {
                answer(Fd.adopt(e.fd()), Fanotify.DENY);
            }
            onFatal.accept(new IOException("the fanotify queue overflowed: the kernel let accesses through unfilled"));
            return;
        }
        events.increment();
        if (e.fd() < 0) {
            // Not answerable without a descriptor; groups made here never report such events.
            rejected.increment();
            LOG.warn("fanotify event without a descriptor (fd {}, mask 0x{}): ignored", e.fd(),
                    Long.toHexString(e.mask()));
            return;
        }
        Fd fd = Fd.adopt(e.fd());
        boolean handedOff = false;
        int response = Fanotify.DENY;
        try {
            if (!e.isBoundedPreAccess()) {
                rejected.increment();
                LOG.warn("fanotify event without a byte range (mask 0x{}, pid {}): denied", Long.toHexString(e.mask()),
                        e.pid());
                return;
            }
            if (ioThreads.contains(e.pid())) {
                ownAccesses.increment();
                response = Fanotify.ALLOW;
                return;
            }
            CacheFile f = files.get(FileId.ofRaw(fd.get()));
            if (f == null) {
                rejected.increment();
                LOG.warn("fanotify event for a file that is not a cache file of this mount (pid {}): denied", e.pid());
                return;
            }
            List<ChunkInfo> missing = f.missing(device, e.offset(), e.count());
            if (missing.isEmpty()) {
                allowedFilled.increment();
                response = Fanotify.ALLOW;
                maybeComplete(f);
                return;
            }
            if (denyFills) {
                fillFailures.increment();
                response = DENY_EIO;
                return;
            }
            inFlight.incrementAndGet();
            try {
                workers.execute(() -> fill(f, fd, missing, e));
                handedOff = true;
            } catch (RejectedExecutionException ex) {
                inFlightDone();
                response = DENY_EIO;
            }
        } catch (FsException | RuntimeException ex) {
            LOG.warn("fanotify event (pid {}, range {}+{}): {}; denied", e.pid(), e.offset(), e.count(), ex.toString());
            response = DENY_EIO;
        } finally {
            if (!handedOff) {
                answer(fd, response);
            }
        }
    }

    // ---------------------------------------------------------------- fill workers

    private void fill(CacheFile f, Fd fd, List<ChunkInfo> missing, FanotifyEvent e) {
        int response = Fanotify.ALLOW;
        try {
            BlobIoVec.Builder b = BlobIoVec.builder();
            for (ChunkInfo c : missing) {
                b.addWhole(c);
            }
            BlobIoVec io = b.build();
            EventFdSink sink = new EventFdSink(fd, device, io);
            device.read(io, sink);
            bytesWritten.add(sink.written());
            fills.increment();
        } catch (IOException | RuntimeException ex) {
            response = DENY_EIO;
            fillFailures.increment();
            failureLog.failed(f.blobId, e.offset(), e.count(), ex.getMessage() == null ? ex.toString() : ex.getMessage());
        } finally {
            answer(fd, response);
            inFlightDone();
        }
        if (response == Fanotify.ALLOW) {
            maybeComplete(f);
        }
    }

    private void inFlightDone() {
        if (inFlight.decrementAndGet() == 0) {
            synchronized (idle) {
                idle.notifyAll();
            }
        }
    }

    /** Answers, then closes the event's descriptor (in this order: the kernel finds the event by number). */
    private void answer(Fd fd, int response) {
        try {
            Fanotify.respond(group, fd.get(), response);
        } catch (FsException ex) {
            LOG.warn("answering fanotify event fd {} failed: {}", fd.number(), ex.getMessage());
        } finally {
            fd.close();
        }
    }

    /**
     * Once a blob is all in its file, its mark goes (spec section 7): the live mount's accesses to
     * it stop raising events. Only a complete file may lose its mark (spec 6.5).
     */
    private void maybeComplete(CacheFile f) {
        if (!f.becameComplete(device)) {
            return;
        }
        completed.incrementAndGet();
        try {
            Fanotify.mark(group, Fanotify.MARK_REMOVE, Fanotify.PRE_ACCESS, f.path);
            LOG.info("{} is complete in the cache; its reads no longer raise events", f);
        } catch (FsException ex) {
            if (ex.errno() != Errno.ENOENT) {
                LOG.warn("removing the fanotify mark of complete {} failed: {}", f, ex.getMessage());
            }
        }
    }

    /** Waits until nothing is in flight; false on timeout (for tests). */
    boolean awaitIdle(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (idle) {
            while (inFlight.get() > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(idle, left);
            }
        }
        return true;
    }
}
