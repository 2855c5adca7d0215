package dev.jnydus.sys;

import dev.jnydus.common.FsException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A fixed {@code struct pollfd[]} for one thread's poll loop, built once so that polling allocates
 * nothing. Not thread-safe; the descriptors are borrowed, not owned.
 */
public final class PollSet {
    private final Fd[] fds;
    private final ByteBuffer pollfds;

    /** @param events one event mask per descriptor, e.g. {@link Sys#POLLIN} */
    public PollSet(Fd[] fds, short[] events) {
        if (fds.length != events.length || fds.length == 0) {
            throw new IllegalArgumentException("need one event mask per fd, got " + fds.length + " fds and "
                    + events.length + " masks");
        }
        this.fds = fds.clone();
        this.pollfds = ByteBuffer.allocateDirect(8 * fds.length).order(ByteOrder.nativeOrder());
        for (int i = 0; i < fds.length; i++) {
            pollfds.putInt(8 * i, fds[i].get());
            pollfds.putShort(8 * i + 4, events[i]);
        }
    }

    /**
     * Waits until a descriptor is ready or the timeout (-1 = forever) expires.
     *
     * @return the number of ready descriptors, 0 on timeout
     */
    public int poll(int timeoutMillis) throws FsException {
        for (int i = 0; i < fds.length; i++) {
            pollfds.putShort(8 * i + 6, (short) 0);
        }
        return Sys.poll(pollfds, fds.length, timeoutMillis);
    }

    /** The events the last {@link #poll} reported for descriptor {@code index}. */
    public short revents(int index) {
        return pollfds.getShort(8 * index + 6);
    }

    public int size() {
        return fds.length;
    }
}
