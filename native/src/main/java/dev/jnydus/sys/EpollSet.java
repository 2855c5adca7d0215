package dev.jnydus.sys;

import dev.jnydus.common.FsException;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * One thread's epoll(7) instance over a few borrowed descriptors, for a wait loop that allocates
 * nothing. Unlike {@link PollSet}, a descriptor can be registered <em>exclusive</em>
 * ({@code EPOLLEXCLUSIVE}): when several threads each wait on their own set holding the same
 * file, an event on it wakes one of them, not all. That is what a pool of workers reading one
 * queue (a /dev/fuse session) needs: with poll(2) every idle worker wakes for every request,
 * and all but one find nothing to read.
 *
 * <p>Level-triggered: a descriptor still ready when {@link #await} is called again is reported
 * again. Not thread-safe; closes only its own epoll descriptor.
 */
public final class EpollSet implements AutoCloseable {
    static final int EPOLL_CLOEXEC = 0x80000;
    static final int EPOLL_CTL_ADD = 1;
    static final int EPOLLIN = 0x1;
    static final int EPOLLEXCLUSIVE = 1 << 28;
    /**
     * struct epoll_event is {u32 events; u64 data}: packed on x86-64 (12 bytes), naturally aligned
     * elsewhere (16 bytes, data at 8).
     */
    static final boolean PACKED = System.getProperty("os.arch").matches("amd64|x86_64");
    static final int EVENT_SIZE = PACKED ? 12 : 16;
    static final int DATA_OFFSET = PACKED ? 4 : 8;

    private final Fd epfd;
    private final ByteBuffer events;
    private final ByteBuffer one = ByteBuffer.allocateDirect(EVENT_SIZE).order(ByteOrder.nativeOrder());
    private final int capacity;
    private int count;

    /** @param capacity the number of descriptors the set will hold (events reported per wait) */
    public EpollSet(int capacity) throws FsException {
        Sys.ensureAvailable();
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be positive, got " + capacity);
        }
        int fd = LibC.epoll_create1(EPOLL_CLOEXEC);
        if (fd < 0) {
            throw Sys.lastError("epoll_create1");
        }
        this.epfd = new Fd(fd);
        this.capacity = capacity;
        this.events = ByteBuffer.allocateDirect(EVENT_SIZE * capacity).order(ByteOrder.nativeOrder());
    }

    /**
     * Watches {@code fd} for input, reported as {@code index}; {@code exclusive} registers it with
     * {@code EPOLLEXCLUSIVE} (see the class comment).
     */
    public void addReadable(Fd fd, int index, boolean exclusive) throws FsException {
        if (count == capacity) {
            throw new IllegalStateException("epoll set is full (" + capacity + " descriptors)");
        }
        one.putInt(0, EPOLLIN | (exclusive ? EPOLLEXCLUSIVE : 0));
        one.putLong(DATA_OFFSET, index);
        // Safe because: one holds one struct epoll_event, read by the kernel during the call.
        int r = LibC.epoll_ctl(epfd.get(), EPOLL_CTL_ADD, fd.get(), Sys.address(one));
        Reference.reachabilityFence(one);
        if (r < 0) {
            throw Sys.lastError("epoll_ctl(ADD " + fd.number() + ")");
        }
        count++;
    }

    /**
     * Waits until a watched descriptor is ready or the timeout (-1 = forever) expires.
     *
     * @return the number of ready descriptors (see {@link #ready}), 0 on timeout
     */
    public int await(int timeoutMillis) throws FsException {
        // Safe because: events holds capacity entries and the kernel writes at most that many.
        int r = LibC.epoll_wait(epfd.get(), Sys.address(events), capacity, timeoutMillis);
        Reference.reachabilityFence(events);
        if (r < 0) {
            throw Sys.lastError("epoll_wait");
        }
        return r;
    }

    /** The index (as registered) of the {@code i}-th descriptor the last {@link #await} reported. */
    public int ready(int i) {
        return (int) events.getLong(EVENT_SIZE * i + DATA_OFFSET);
    }

    @Override
    public void close() {
        epfd.close();
    }
}
