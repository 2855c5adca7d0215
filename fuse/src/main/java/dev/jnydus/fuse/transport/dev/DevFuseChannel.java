package dev.jnydus.fuse.transport.dev;

import dev.jnydus.common.Errno;
import dev.jnydus.common.FsException;
import dev.jnydus.fuse.transport.FuseChannel;
import dev.jnydus.sys.Fd;
import dev.jnydus.sys.Ioctls;
import dev.jnydus.sys.PollSet;
import dev.jnydus.sys.Sys;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A FUSE channel over its own /dev/fuse descriptor, cloned from the session's with
 * {@code FUSE_DEV_IOC_CLONE} so that each worker reads and writes without sharing a file (the
 * kernel then answers each request on the descriptor that read it). The descriptor is
 * non-blocking: a worker waits in poll(2) on it and on the pool's waker, so it can be stopped
 * without unmounting.
 *
 * <p>Receive: EINTR, EAGAIN and ENOENT (the request was interrupted before we read it) retry;
 * ENODEV (unmounted) and ECONNABORTED (aborted) end the session. Send: ENOENT (the kernel no longer
 * waits for this reply) is dropped; other errors are thrown.
 *
 * <p>Sends may come from any thread (answers completed away from the worker). They hold a read
 * lock that {@link #close} takes for writing, so that a late answer never writes to a closed
 * descriptor whose number the kernel may have handed to another file; after close a send fails
 * with ENODEV. Closing ends the requests this descriptor read and has not answered (the kernel
 * fails them with ECONNABORTED).
 */
public final class DevFuseChannel implements FuseChannel, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DevFuseChannel.class);

    /** {@code FUSE_DEV_IOC_CLONE = _IOR(229, 0, uint32_t)}. */
    static final long FUSE_DEV_IOC_CLONE = Ioctls.ior(229, 0, 4);
    static final Path DEV_FUSE = Path.of("/dev/fuse");

    private final Fd fd;
    private final Waker waker;
    private final PollSet pollSet;
    private final ReentrantReadWriteLock sending = new ReentrantReadWriteLock();
    private boolean closed;

    private DevFuseChannel(Fd fd, Waker waker) {
        this.fd = fd;
        this.waker = waker;
        this.pollSet = new PollSet(new Fd[] {fd, waker.fd()}, new short[] {Sys.POLLIN, Sys.POLLIN});
    }

    /** Opens /dev/fuse and attaches it to the session of {@code sessionFd}. */
    static DevFuseChannel clone(Fd sessionFd, Waker waker) throws FsException {
        Fd fd = Sys.open(DEV_FUSE, Sys.O_RDWR | Sys.O_NONBLOCK);
        try {
            Ioctls.ioctlIntRef(fd, FUSE_DEV_IOC_CLONE, sessionFd.get());
            return new DevFuseChannel(fd, waker);
        } catch (FsException | RuntimeException e) {
            fd.close();
            throw e;
        }
    }

    @Override
    public boolean receive(ByteBuffer dst) throws IOException {
        while (!waker.isWoken()) {
            dst.clear();
            try {
                int n = Sys.read(fd, dst);
                if (n == 0) {
                    return false;
                }
                dst.flip();
                return true;
            } catch (FsException e) {
                switch (e.errno()) {
                    case EAGAIN:
                        waitReadable();
                        break;
                    case EINTR:
                    case ENOENT:
                        break;
                    case ENODEV:
                    case ECONNABORTED:
                        LOG.debug("FUSE session ended on fd {}: {}", fd.number(), e.errno());
                        return false;
                    case EINVAL:
                        throw new FsException(Errno.EINVAL, "reading /dev/fuse into a " + dst.capacity()
                                + "-byte buffer failed: smaller than the kernel's request size?", e);
                    default:
                        throw e;
                }
            }
        }
        return false;
    }

    private void waitReadable() throws FsException {
        try {
            pollSet.poll(-1);
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
            fd.close();
        } finally {
            lock.unlock();
        }
    }
}
