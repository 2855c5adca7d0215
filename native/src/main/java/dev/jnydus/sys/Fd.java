package dev.jnydus.sys;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An owned file descriptor. {@link #close()} is idempotent and guarded by a compare-and-set, so a
 * racing double close can never close a number that the kernel has meanwhile handed to someone
 * else. Using the number after close is the caller's bug; {@link #get()} refuses it.
 */
public final class Fd implements AutoCloseable {
    private final int fd;
    private final AtomicBoolean open = new AtomicBoolean(true);

    Fd(int fd) {
        if (fd < 0) {
            throw new IllegalArgumentException("negative fd " + fd);
        }
        this.fd = fd;
    }

    /**
     * Takes ownership of a raw descriptor obtained elsewhere (inherited, received by a supervisor
     * protocol, given on a command line). The returned object closes it.
     */
    public static Fd adopt(int fd) {
        return new Fd(fd);
    }

    /** The descriptor number. */
    public int get() {
        if (!open.get()) {
            throw new IllegalStateException("fd " + fd + " is closed");
        }
        return fd;
    }

    /** The number even after close, for log lines. */
    public int number() {
        return fd;
    }

    public boolean isOpen() {
        return open.get();
    }

    /**
     * Gives up ownership without closing, for a descriptor handed to someone else who will close it.
     *
     * @return the number
     */
    public int release() {
        if (!open.compareAndSet(true, false)) {
            throw new IllegalStateException("fd " + fd + " is closed");
        }
        return fd;
    }

    /**
     * Closes the descriptor once; later calls do nothing. A failing close(2) is not reported: the
     * descriptor is released by the kernel whatever close returns (Linux semantics), and retrying
     * could close a reused number.
     */
    @Override
    public void close() {
        if (open.compareAndSet(true, false)) {
            Sys.closeQuietly(fd);
        }
    }

    @Override
    public String toString() {
        return "Fd(" + fd + (open.get() ? ")" : ", closed)");
    }
}
