package dev.jnydus.fuse.transport.dev;

import dev.jnydus.common.Errno;
import dev.jnydus.common.FsException;
import dev.jnydus.fuse.transport.FuseChannel;
import dev.jnydus.sys.Fd;
import dev.jnydus.sys.EpollSet;
import dev.jnydus.sys.Sys;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A FUSE channel over its own duplicate ({@code dup}) of the session descriptor, so that each
 * worker has a descriptor of its own to wait on and to close, while every request stays on the one
 * open file of the session. That matters for a takeover: the kernel keeps the requests a daemon
 * has read and not answered with the open file they were read from. A duplicate's requests stay
 * with the session's file, which the supervisor holds too, so they outlive a crashed daemon and
 * {@code FUSE_NOTIFY_RESEND} hands them to the successor; a descriptor cloned with
 * {@code FUSE_DEV_IOC_CLONE} is a file of its own, and the kernel ends its requests with
 * ECONNABORTED when it closes, which a crash does. Upstream's workers read from duplicates too.
 *
 * <p>Waiting: by default the file is blocking and a worker sleeps in read(2), as libfuse's do; a
 * stop interrupts those reads with a signal ({@link FuseWorkers#stop}, {@code ThreadWake}). Measured
 * side by side, a round trip took about half as long as with the older wait, still used when
 * the signal cannot be installed and taken whenever a read finds the file non-blocking (a
 * predecessor or successor of an older version shares it: the flag belongs to the open file, so
 * it is the session's, the supervisor's copy's and every duplicate's): there a worker waits in
 * epoll on its descriptor and on the pool's waker. The descriptor is registered exclusive
 * ({@link EpollSet}), so a request wakes one idle worker.
 *
 * <p>Receive: EINTR, EAGAIN (another worker took the request) and ENOENT (the request was
 * interrupted before we read it) retry; ENODEV (unmounted) and ECONNABORTED (aborted) end the
 * session. Send: ENOENT (the kernel no longer waits for this reply: interrupted, or re-sent to a
 * successor) is dropped; other errors are thrown.
 *
 * <p>Sends may come from any thread (answers completed away from the worker). They hold a read
 * lock that {@link #close} takes for writing, so that a late answer never writes to a closed
 * descriptor whose number the kernel may have handed to another file; after close a send fails
 * with ENODEV. Closing a duplicate ends no request: those it read and has not answered stay with
 * the session's file until someone answers them or asks the kernel to resend them.
 */
public final class DevFuseChannel implements FuseChannel, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DevFuseChannel.class);

    static final Path DEV_FUSE = Path.of("/dev/fuse");
    private static final int EAGAIN = Errno.EAGAIN.number();
    private static final int EINTR = Errno.EINTR.number();
    private static final int ENOENT = Errno.ENOENT.number();
    private static final int ENODEV = Errno.ENODEV.number();
    private static final int ECONNABORTED = Errno.ECONNABORTED.number();
    private static final int EINVAL = Errno.EINVAL.number();

    private final Fd fd;
    private final Waker waker;
    private final EpollSet waitSet;
    private final ReentrantReadWriteLock sending = new ReentrantReadWriteLock();
    private boolean closed;

    private DevFuseChannel(Fd fd, Waker waker, EpollSet waitSet) {
        this.fd = fd;
        this.waker = waker;
        this.waitSet = waitSet;
    }

    /**
     * A channel over a duplicate of {@code sessionFd}, which must be a /dev/fuse session (the
     * descriptor given to mount, or one received from a predecessor); makes the session's file
     * non-blocking.
     */
    static DevFuseChannel dup(Fd sessionFd, Waker waker) throws FsException {
        FuseSession.requireFuseDevice(sessionFd);
        Fd fd = Sys.dup(sessionFd);
        EpollSet waitSet = null;
        try {
            Sys.setNonBlocking(fd, !waker.blockingReads());
            waitSet = new EpollSet(2);
            waitSet.addReadable(fd, 0, true);
            waitSet.addReadable(waker.fd(), 1, false);
            return new DevFuseChannel(fd, waker, waitSet);
        } catch (FsException | RuntimeException e) {
            if (waitSet != null) {
                waitSet.close();
            }
            fd.close();
            throw e;
        }
    }

    @Override
    public boolean receive(ByteBuffer dst) throws IOException {
        while (!waker.isWoken()) {
            dst.clear();
            // Errors by number: EAGAIN comes once per request or so and an exception each time
            // (its stack trace) showed in profiles.
            int n = Sys.readOrErrno(fd, dst);
            if (n > 0) {
                dst.flip();
                return true;
            }
            if (n == 0) {
                return false;
            }
            int errno = -n;
            if (errno == EAGAIN) {
                waitReadable();
            } else if (errno == EINTR || errno == ENOENT) {
                continue;
            } else if (errno == ENODEV || errno == ECONNABORTED) {
                LOG.debug("FUSE session ended on fd {}: errno {}", fd.number(), errno);
                return false;
            } else if (errno == EINVAL) {
                throw new FsException(Errno.EINVAL, "reading /dev/fuse into a " + dst.capacity()
                        + "-byte buffer failed: smaller than the kernel's request size?");
            } else {
                Errno e = Errno.of(errno);
                throw new FsException(e == null ? Errno.EIO : e, "read(" + fd.number() + ") of /dev/fuse: errno " + errno);
            }
        }
        return false;
    }

    private void waitReadable() throws FsException {
        try {
            waitSet.await(-1);
        } catch (FsException e) {
            if (e.errno() != Errno.EINTR) {
                throw e;
            }
        }
    }

    @Override
    public void send(ByteBuffer... parts) throws IOException {
        Lock lock = sending.readLock();
        lock.lock();
        try {
            if (closed) {
                throw new FsException(Errno.ENODEV, "FUSE channel on fd " + fd.number() + " is closed");
            }
            write(parts);
        } finally {
            lock.unlock();
        }
    }

    private void write(ByteBuffer... parts) throws IOException {
        while (true) {
            try {
                if (parts.length == 1) {
                    Sys.write(fd, parts[0].duplicate());
                } else {
                    ByteBuffer[] copies = new ByteBuffer[parts.length];
                    for (int i = 0; i < parts.length; i++) {
                        copies[i] = parts[i].duplicate();
                    }
                    Sys.writev(fd, copies);
                }
                return;
            } catch (FsException e) {
                if (e.errno() == Errno.EINTR) {
                    continue;
                }
                if (e.errno() == Errno.ENOENT) {
                    LOG.debug("reply dropped: the request was interrupted");
                    return;
                }
                throw e;
            }
        }
    }

    /** This channel's descriptor number, for logs. */
    public int fdNumber() {
        return fd.number();
    }

    @Override
    public void close() {
        Lock lock = sending.writeLock();
        lock.lock();
        try {
            closed = true;
            waitSet.close();
            fd.close();
        } finally {
            lock.unlock();
        }
    }
}
