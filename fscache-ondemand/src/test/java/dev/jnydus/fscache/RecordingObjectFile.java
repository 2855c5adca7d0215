package dev.jnydus.fscache;

import dev.jnydus.common.Errno;
import dev.jnydus.common.FsException;
import dev.jnydus.fscache.cachefiles.CacheObjectFile;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;

/**
 * A cache object's anonymous fd as the kernel's cache file behaves: block-aligned writes (else
 * ENOBUFS, as cachefiles answers), lengths padded, holes where nothing was written; completions
 * and the close recorded, with waits that end on the event (or fail the test after a timeout).
 */
final class RecordingObjectFile implements CacheObjectFile {
    private final int fd;
    private byte[] bytes = new byte[0];
    private final BitSet written = new BitSet();
    private final List<Integer> completed = new ArrayList<>();
    private int writes;
    private boolean closed;

    RecordingObjectFile(int fd) {
        this.fd = fd;
    }

    @Override
    public synchronized void write(long offset, ByteBuffer data) throws FsException {
        if (closed) {
            throw new FsException(Errno.EBADF, "fd " + fd + " is closed");
        }
        if (offset % BLOCK != 0) {
            throw new FsException(Errno.ENOBUFS, "unaligned write at " + offset);
        }
        int n = data.remaining();
        int end = (int) ((offset + n + BLOCK - 1) & -BLOCK);
        if (end > bytes.length) {
            bytes = Arrays.copyOf(bytes, end);
        }
        data.duplicate().get(bytes, (int) offset, n);
        Arrays.fill(bytes, (int) offset + n, end, (byte) 0);
        written.set((int) (offset / BLOCK), end / BLOCK);
        writes++;
        notifyAll();
    }

    @Override
    public synchronized long nextData(long offset) {
        int b = written.nextSetBit((int) (offset / BLOCK));
        return b < 0 ? -1 : Math.max(offset, (long) b * BLOCK);
    }

    @Override
    public synchronized long nextHole(long offset) {
        if (offset >= bytes.length) {
            return -1;
        }
        int b = written.nextClearBit((int) (offset / BLOCK));
        return Math.max(offset, (long) b * BLOCK);
    }

    @Override
    public synchronized void completeRead(int msgId) throws FsException {
        if (closed) {
            throw new FsException(Errno.EBADF, "fd " + fd + " is closed");
        }
        completed.add(msgId);
        notifyAll();
    }

    @Override
    public int number() {
        return fd;
    }

    @Override
    public synchronized void close() {
        closed = true;
        notifyAll();
    }

    synchronized boolean isClosed() {
        return closed;
    }

    synchronized int writes() {
        return writes;
    }

    synchronized List<Integer> completed() {
        return List.copyOf(completed);
    }

    /** The bytes written in {@code [offset, offset + length)}; holes read as zeros. */
    synchronized byte[] bytes(long offset, int length) {
        byte[] out = new byte[length];
        int avail = (int) Math.max(0, Math.min(length, bytes.length - offset));
        if (avail > 0) {
            System.arraycopy(bytes, (int) offset, out, 0, avail);
        }
        return out;
    }

    /** Whether every block of {@code [offset, offset + length)} was written. */
    synchronized boolean holds(long offset, long length) {
        int from = (int) (offset / BLOCK);
        int to = (int) ((offset + length + BLOCK - 1) / BLOCK);
        return written.nextClearBit(from) >= to;
    }

    synchronized void awaitCompleted(int msgId, Duration timeout) throws InterruptedException {
        awaitTrue(() -> completed.contains(msgId), "READ " + msgId + " completed", timeout);
    }

    synchronized void awaitHolds(long offset, long length, Duration timeout) throws InterruptedException {
        awaitTrue(() -> holds(offset, length), "data at " + offset + "+" + length, timeout);
    }

    synchronized void awaitClosed(Duration timeout) throws InterruptedException {
        awaitTrue(() -> closed, "closed", timeout);
    }

    /** Waits (holding the lock, released while waiting) until every change wakes a true condition. */
    private void awaitTrue(java.util.function.BooleanSupplier condition, String what, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("fd " + fd + ": not " + what + " within " + timeout);
            }
            wait(Math.max(1, left / 1_000_000));
        }
    }
}
