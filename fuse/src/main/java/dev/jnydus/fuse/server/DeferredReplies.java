package dev.jnydus.fuse.server;

import dev.jnydus.common.Errno;
import dev.jnydus.common.FsException;
import dev.jnydus.common.Ticker;
import dev.jnydus.fuse.abi.Opcode;
import dev.jnydus.fuse.api.Context;
import dev.jnydus.fuse.transport.FuseChannel;
import java.nio.ByteBuffer;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Requests whose answer comes after the worker that received them moved on
 * ({@code FileSystem#readAsync}): which are pending, who answers them, and what an INTERRUPT does
 * to them.
 *
 * <p>One answer per request: a pending request is answered by whoever removes it from the table,
 * its completion or an interrupt, and by nobody else. The answer goes through the channel that
 * received the request (the kernel looks a reply up on the descriptor that read the request), from
 * whatever thread completes it, built from a header of its own and the filesystem's data buffer:
 * nothing a worker reuses. A reply the kernel no longer waits for (the request was aborted) is
 * dropped by the channel; one for a session that ended is dropped here, at debug.
 *
 * <p>Interrupts. The kernel queues FUSE_INTERRUPT only after the request was read, but another
 * worker may read the interrupt before the request is registered here; such early interrupts are
 * kept (the last {@value #EARLY_INTERRUPTS}) and honoured at registration.
 */
final class DeferredReplies {
    private static final Logger LOG = LoggerFactory.getLogger(DeferredReplies.class);
    static final int EARLY_INTERRUPTS = 64;

    /** A request waiting for its answer; {@code maxBytes} is what the kernel may take. */
    record Pending(long unique, Opcode op, long nodeId, Context ctx, FuseChannel channel, long startNanos,
            int maxBytes) {
    }

    private final ConcurrentHashMap<Long, Pending> pending = new ConcurrentHashMap<>();
    private final Object drained = new Object();
    private final LinkedHashSet<Long> early = new LinkedHashSet<>();
    private final RequestMetrics metrics;
    private final Ticker ticker;
    private final InterruptPolicy policy;

    DeferredReplies(RequestMetrics metrics, Ticker ticker, InterruptPolicy policy) {
        this.metrics = metrics;
        this.ticker = ticker;
        this.policy = policy;
    }

    int size() {
        return pending.size();
    }

    /** Waits until no request is pending; false when {@code timeoutNanos} passed first. */
    boolean awaitNone(long timeoutNanos) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutNanos;
        synchronized (drained) {
            while (!pending.isEmpty()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                drained.wait(Math.max(1, left / 1_000_000));
            }
        }
        return true;
    }

    /** After a removal: wakes {@link #awaitNone} when that was the last one. */
    private void removed() {
        if (pending.isEmpty()) {
            synchronized (drained) {
                drained.notifyAll();
            }
        }
    }

    /** Registers {@code p} and answers it when {@code answer} completes (maybe at once, on this thread). */
    void defer(Pending p, CompletionStage<ByteBuffer> answer) {
        pending.put(p.unique(), p);
        try {
            answer.whenComplete((data, failure) -> complete(p, data, failure));
        } catch (RuntimeException e) {
            // A stage that cannot take a callback will never answer: the worker answers instead.
            pending.remove(p.unique(), p);
            removed();
            throw e;
        }
        if (takeEarlyInterrupt(p.unique())) {
            interrupted(p);
        }
    }

    /** FUSE_INTERRUPT for {@code unique}. */
    void interrupt(long unique) {
        Pending p = pending.get(unique);
        if (p == null) {
            // Answered already (the kernel drops the interrupt), or not registered yet.
            synchronized (early) {
                early.add(unique);
                if (early.size() > EARLY_INTERRUPTS) {
                    Iterator<Long> oldest = early.iterator();
                    oldest.next();
                    oldest.remove();
                }
            }
            return;
        }
        interrupted(p);
    }

    private boolean takeEarlyInterrupt(long unique) {
        synchronized (early) {
            return !early.isEmpty() && early.remove(unique);
        }
    }

    private void interrupted(Pending p) {
        boolean abandon;
        try {
            abandon = policy.abandon(p.ctx());
        } catch (RuntimeException e) {
            LOG.warn("interrupt policy failed for unique {}", p.unique(), e);
            abandon = false;
        }
        if (!abandon) {
            LOG.debug("{} (unique {}) interrupted; it finishes", p.op(), p.unique());
            return;
        }
        if (pending.remove(p.unique(), p)) {
            LOG.debug("{} (unique {}) interrupted; answered EINTR", p.op(), p.unique());
            answer(p, Errno.EINTR, null);
            removed();
        }
    }

    private void complete(Pending p, ByteBuffer data, Throwable failure) {
        if (!pending.remove(p.unique(), p)) {
            LOG.debug("{} (unique {}) was answered already; its late result is dropped", p.op(), p.unique());
            return;
        }
        Errno error = null;
        if (failure != null) {
            Throwable cause = unwrap(failure);
            if (cause instanceof FsException fe) {
                error = Replies.checkedErrno(fe.errno(), p.op(), fe);
                LOG.debug("{} node {} (unique {}): {}", p.op(), p.nodeId(), p.unique(), fe.getMessage());
            } else {
                error = cause instanceof OutOfMemoryError ? Errno.ENOMEM : Errno.EIO;
                LOG.error("{} node {} (unique {}) failed in the filesystem", p.op(), p.nodeId(), p.unique(), cause);
            }
        } else if (data == null || data.remaining() > p.maxBytes()) {
            LOG.error("{} node {} (unique {}): the filesystem answered {} bytes where {} fit; replying EIO", p.op(),
                    p.nodeId(), p.unique(), data == null ? "null" : data.remaining(), p.maxBytes());
            error = Errno.EIO;
        }
        answer(p, error, data);
        removed();
    }

    private static Throwable unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    /** Records and sends the answer: {@code data} when {@code error} is null. Never throws. */
    private void answer(Pending p, Errno error, ByteBuffer data) {
        try {
            metrics.end(p.op(), p.nodeId(), p.unique(), ticker.nanos() - p.startNanos(),
                    error == null ? 0 : error.number());
        } catch (RuntimeException e) {
            LOG.warn("request metrics hook failed", e);
        }
        try {
            if (error != null) {
                p.channel().send(Replies.header(p.unique(), error, 0));
            } else {
                ByteBuffer payload = data.slice();
                p.channel().send(Replies.header(p.unique(), null, payload.remaining()), payload);
            }
        } catch (FsException e) {
            if (e.errno() == Errno.ENODEV || e.errno() == Errno.ECONNABORTED) {
                LOG.debug("{} (unique {}): the session ended before its answer: {}", p.op(), p.unique(),
                        e.getMessage());
            } else {
                LOG.error("sending the answer to {} (unique {}) failed: {}", p.op(), p.unique(), e.getMessage());
            }
        } catch (Exception e) {
            LOG.error("sending the answer to {} (unique {}) failed", p.op(), p.unique(), e);
        }
    }
}
