package dev.jnydus.cache.prefetch;

import java.time.Duration;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The prefetch work of one device: counts its queued and running tasks so that closing the
 * device can cancel what is queued and wait for what is running.
 */
public final class PrefetchGroup {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition idle = lock.newCondition();
    private final String name;
    private int pending;
    private volatile boolean cancelled;

    PrefetchGroup(String name) {
        this.name = name;
    }

    public String name() {
        return name;
    }

    public boolean isCancelled() {
        return cancelled;
    }

    void cancel() {
        cancelled = true;
    }

    void added() {
        lock.lock();
        try {
            pending++;
        } finally {
            lock.unlock();
        }
    }

    void done() {
        lock.lock();
        try {
            pending--;
            if (pending <= 0) {
                idle.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Waits until no task of this group is queued or running; false on timeout. */
    public boolean awaitIdle(Duration timeout) throws InterruptedException {
        long nanos = timeout.toNanos();
        lock.lock();
        try {
            while (pending > 0) {
                if (nanos <= 0) {
                    return false;
                }
                nanos = idle.awaitNanos(nanos);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }
}
