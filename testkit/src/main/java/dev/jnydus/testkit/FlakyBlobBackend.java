package dev.jnydus.testkit;

import dev.jnydus.backend.BackendException;
import dev.jnydus.backend.BlobBackend;
import dev.jnydus.backend.BlobReader;
import dev.jnydus.backend.RangeProgress;
import dev.jnydus.backend.RequestSource;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Wraps a backend and injects faults: a failure on the Nth request, short reads, a fixed delay per
 * request (a slow or stalled network), requests held until a latch opens, corrupted bytes, and
 * {@linkplain #injectFault faults a real backend should never raise} (a runtime exception, an
 * error, an interrupt) before a request or in the middle of its body. Faults are configured before
 * or while the backend is used; all methods are thread-safe.
 */
public final class FlakyBlobBackend implements BlobBackend {
    private final BlobBackend delegate;
    private final AtomicInteger requestNo = new AtomicInteger();
    private final List<Integer> failOn = new CopyOnWriteArrayList<>();
    private final List<Corruption> corruptions = new CopyOnWriteArrayList<>();
    private volatile int maxBytesPerRead = Integer.MAX_VALUE;
    private volatile long delayNanos;
    private volatile CountDownLatch gate;
    private volatile boolean failAll;
    private volatile Duration budget;
    private volatile Fault fault;
    private volatile boolean faultMidBody;
    private volatile boolean tellsProgress;
    private final AtomicInteger faultsLeft = new AtomicInteger();
    private final ThreadLocal<Fault> pendingInBody = new ThreadLocal<>();

    /** What an injected fault does to the reading thread. */
    public enum Fault {
        /** Throws an {@link IllegalStateException}. */
        RUNTIME_EXCEPTION,
        /** Throws an {@link Error} (not an exception a caller's {@code catch (Exception)} sees). */
        ERROR,
        /**
         * Interrupts the thread, and then fails the read as an interruptible client does (an
         * {@link InterruptedIOException}), leaving the thread's interrupt status set.
         */
        INTERRUPT;

        /** Raises this fault on the calling thread. */
        public void raise(String where) throws InterruptedIOException {
            switch (this) {
                case RUNTIME_EXCEPTION -> throw new IllegalStateException("injected runtime exception " + where);
                case ERROR -> throw new InjectedError("injected error " + where);
                case INTERRUPT -> {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("injected interrupt " + where);
                }
                default -> throw new IllegalStateException(name());
            }
        }
    }

    /** The {@link Error} {@link Fault#ERROR} throws. */
    public static final class InjectedError extends Error {
        public InjectedError(String message) {
            super(message);
        }
    }

    private static final class Corruption {
        final String blobId;
        final long offset;
        final AtomicInteger remaining;

        Corruption(String blobId, long offset, int times) {
            this.blobId = blobId;
            this.offset = offset;
            this.remaining = new AtomicInteger(times);
        }
    }

    public FlakyBlobBackend(BlobBackend delegate) {
        this.delegate = delegate;
    }

    /** The {@code n}-th request (1-based, counted over all blobs) fails with EIO. */
    public FlakyBlobBackend failOnRequest(int n) {
        failOn.add(n);
        return this;
    }

    /** Every request fails with EIO until called with {@code false}. */
    public FlakyBlobBackend failAll(boolean fail) {
        this.failAll = fail;
        return this;
    }

    /** Each request delivers at most {@code maxBytes}, so callers must loop. */
    public FlakyBlobBackend shortReads(int maxBytes) {
        this.maxBytesPerRead = maxBytes;
        return this;
    }

    /** Each request takes at least {@code delay} (a slow backend; requests still run in parallel). */
    public FlakyBlobBackend delayEachRequest(Duration delay) {
        this.delayNanos = delay.toNanos();
        return this;
    }

    /** Requests block until {@code latch} opens (a stall); {@code null} removes the gate. */
    public FlakyBlobBackend holdRequestsUntil(CountDownLatch latch) {
        this.gate = latch;
        return this;
    }

    /** The byte at {@code offset} of {@code blobId} is flipped in the next {@code times} reads covering it. */
    public FlakyBlobBackend corruptByte(String blobId, long offset, int times) {
        corruptions.add(new Corruption(blobId, offset, times));
        return this;
    }

    /**
     * The next {@code times} requests raise {@code f}: before any byte when {@code midBody} is
     * false; otherwise after delivering the first part of the body, on the call that would read
     * the rest (such requests are cut into two reads).
     */
    public FlakyBlobBackend injectFault(Fault f, boolean midBody, int times) {
        this.faultMidBody = midBody;
        this.fault = f;
        this.faultsLeft.set(times);
        return this;
    }

    /** Stops injecting faults. */
    public FlakyBlobBackend noFaults() {
        this.faultsLeft.set(0);
        this.fault = null;
        return this;
    }

    /**
     * Tells a read's {@link RangeProgress} the bytes it has so far after every step of the read
     * (every short read), as the HTTP transport does while a body arrives, and reports itself as a
     * backend that tells ({@link #reportsProgress()}).
     */
    public FlakyBlobBackend tellsProgress(boolean tells) {
        this.tellsProgress = tells;
        return this;
    }

    @Override
    public boolean reportsProgress() {
        return tellsProgress;
    }

    public int requestCount() {
        return requestNo.get();
    }

    @Override
    public String type() {
        return delegate.type();
    }

    @Override
    public BlobReader open(String blobId) throws IOException {
        return new ForwardingBlobReader(delegate.open(blobId)) {
            @Override
            public void readFully(ByteBuffer dst, long offset, RequestSource source, RangeProgress progress)
                    throws IOException {
                boolean whole = dst.hasArray() && dst.arrayOffset() == 0 && dst.position() == 0
                        && dst.limit() == dst.array().length;
                if (!tellsProgress || !whole) {
                    super.readFully(dst, offset, source, progress);
                    return;
                }
                int wanted = dst.remaining();
                while (dst.hasRemaining()) {
                    int n = tryRead(dst, offset + dst.position(), source);
                    if (n < 0) {
                        throw new BackendException("blob " + blobId + " ends at " + (offset + dst.position())
                                + ", wanted " + wanted + " bytes from " + offset);
                    }
                    progress.arrived(offset, dst.array(), dst.position());
                }
            }

            @Override
            public int tryRead(ByteBuffer dst, long offset) throws IOException {
                Fault inBody = pendingInBody.get();
                if (inBody != null) {
                    pendingInBody.remove();
                    inBody.raise("in the body of blob " + blobId + " at " + offset);
                }
                int no = requestNo.incrementAndGet();
                waitForGateAndDelay();
                Fault f = fault;
                if (f != null && faultsLeft.getAndUpdate(v -> v > 0 ? v - 1 : 0) > 0) {
                    if (!faultMidBody || dst.remaining() < 2) {
                        f.raise("before request " + no + " (blob " + blobId + " at " + offset + ")");
                    }
                    // Half the body now; the call for the rest raises the fault.
                    int limit = dst.limit();
                    dst.limit(dst.position() + dst.remaining() / 2);
                    try {
                        int n = inner.tryRead(dst, offset);
                        if (n > 0) {
                            pendingInBody.set(f);
                        }
                        return n;
                    } finally {
                        dst.limit(limit);
                    }
                }
                if (failAll || failOn.contains(no)) {
                    throw new BackendException("injected failure of request " + no + " (blob " + blobId + " at " + offset + ")");
                }
                int start = dst.position();
                int limit = dst.limit();
                if (dst.remaining() > maxBytesPerRead) {
                    dst.limit(start + maxBytesPerRead);
                }
                int n;
                try {
                    n = inner.tryRead(dst, offset);
                } finally {
                    dst.limit(limit);
                }
                if (n > 0) {
                    for (Corruption c : corruptions) {
                        if (c.blobId.equals(blobId) && c.offset >= offset && c.offset < offset + n
                                && c.remaining.getAndUpdate(v -> v > 0 ? v - 1 : 0) > 0) {
                            int at = start + (int) (c.offset - offset);
                            dst.put(at, (byte) (dst.get(at) ^ 0x5a));
                        }
                    }
                }
                return n;
            }
        };
    }

    private void waitForGateAndDelay() throws IOException {
        try {
            CountDownLatch g = gate;
            if (g != null) {
                g.await();
            }
            long d = delayNanos;
            if (d > 0) {
                Thread.sleep(d / 1_000_000, (int) (d % 1_000_000));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            InterruptedIOException ie = new InterruptedIOException("backend request interrupted");
            ie.initCause(e);
            throw ie;
        }
    }

    /** Reports {@code budget} as this backend's read timeout budget (as an HTTP backend would). */
    public FlakyBlobBackend readTimeoutBudget(Duration budget) {
        this.budget = budget;
        return this;
    }

    @Override
    public java.util.Optional<Duration> readTimeoutBudget() {
        Duration b = budget;
        return b != null ? java.util.Optional.of(b) : delegate.readTimeoutBudget();
    }

    @Override
    public void close() {
        delegate.close();
    }
}
