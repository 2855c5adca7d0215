package dev.jnydus.testkit;

import dev.jnydus.fuse.transport.FuseChannel;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A {@link FuseChannel} over byte arrays, so that a FUSE server can be tested without /dev/fuse:
 * queued requests are handed out in order (the session "ends" when the queue is empty) and every
 * sent message is recorded whole. Thread-safe: answers that come later may be sent from any thread,
 * and a test waits for them with {@link #awaitReplies}.
 */
public final class ByteBufferFuseChannel implements FuseChannel {
    private final Deque<byte[]> requests = new ArrayDeque<>();
    private final List<byte[]> replies = new ArrayList<>();

    public ByteBufferFuseChannel(byte[]... requests) {
        for (byte[] r : requests) {
            this.requests.add(r.clone());
        }
    }

    public synchronized ByteBufferFuseChannel enqueue(byte[] request) {
        requests.add(request.clone());
        return this;
    }

    @Override
    public synchronized boolean receive(ByteBuffer dst) throws IOException {
        byte[] next = requests.poll();
        if (next == null) {
            return false;
        }
        if (next.length > dst.capacity()) {
            throw new IOException("request of " + next.length + " bytes does not fit a " + dst.capacity()
                    + "-byte buffer");
        }
        dst.clear();
        dst.put(next).flip();
        return true;
    }

    @Override
    public synchronized void send(ByteBuffer... parts) {
        int total = 0;
        for (ByteBuffer p : parts) {
            total += p.remaining();
        }
        byte[] msg = new byte[total];
        int at = 0;
        for (ByteBuffer p : parts) {
            int n = p.remaining();
            p.duplicate().get(msg, at, n);
            at += n;
        }
        replies.add(msg);
        notifyAll();
    }

    /**
     * Waits until at least {@code count} messages were sent; returns them, in order. Fails the test
     * when they do not come within {@code timeout}.
     */
    public synchronized List<byte[]> awaitReplies(int count, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (replies.size() < count) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("expected " + count + " replies within " + timeout + ", got "
                        + replies.size());
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return List.copyOf(replies);
    }

    /** Every message sent so far, in order. */
    public synchronized List<byte[]> replies() {
        return List.copyOf(replies);
    }

    /** The only reply; fails when there is not exactly one. */
    public synchronized byte[] onlyReply() {
        if (replies.size() != 1) {
            throw new AssertionError("expected exactly one reply, got " + replies.size());
        }
        return replies.get(0);
    }

    public synchronized int pendingRequests() {
        return requests.size();
    }
}
