package dev.jnydus.fuse.transport.dev;

import dev.jnydus.common.FsException;
import dev.jnydus.sys.Fd;
import dev.jnydus.sys.Sys;

/**
 * Wakes every channel of a worker pool out of its wait (epoll): an eventfd that, once written, stays
 * readable (nobody reads it), plus a flag checked between requests so that a busy worker stops
 * without waiting for an idle moment.
 */
final class Waker implements AutoCloseable {
    private final Fd eventFd;
    private final boolean blockingReads;
    private volatile boolean woken;

    /** For workers that wait in epoll on a non-blocking session file. */
    Waker() throws FsException {
        this(false);
    }

    /**
     * @param blockingReads the workers sleep in read(2) on a blocking session file, where the
     *     event descriptor cannot reach them: whoever wakes the pool also interrupts each worker's
     *     read ({@link dev.jnydus.sys.ThreadWake}); see {@link FuseWorkers#stop}
     */
    Waker(boolean blockingReads) throws FsException {
        this.eventFd = Sys.eventfd(0, Sys.EFD_NONBLOCK);
        this.blockingReads = blockingReads;
    }

    boolean blockingReads() {
        return blockingReads;
    }

    Fd fd() {
        return eventFd;
    }

    boolean isWoken() {
        return woken;
    }

    /** Synchronized with {@link #close} so a late wake never writes to a closed (maybe reused) number. */
    synchronized void wake() throws FsException {
        woken = true;
        if (eventFd.isOpen()) {
            Sys.eventfdWrite(eventFd, 1);
        }
    }

    @Override
    public synchronized void close() {
        eventFd.close();
    }
}
