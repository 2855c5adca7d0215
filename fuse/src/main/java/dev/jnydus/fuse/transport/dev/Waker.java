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
    private volatile boolean woken;

    Waker() throws FsException {
        this.eventFd = Sys.eventfd(0, Sys.EFD_NONBLOCK);
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
