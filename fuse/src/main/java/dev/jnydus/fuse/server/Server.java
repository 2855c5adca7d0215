package dev.jnydus.fuse.server;

import dev.jnydus.common.Errno;
import dev.jnydus.common.FsException;
import dev.jnydus.common.Ticker;
import dev.jnydus.fuse.abi.FuseProtocolException;
import dev.jnydus.fuse.abi.InHeader;
import dev.jnydus.fuse.abi.Opcode;
import dev.jnydus.fuse.abi.OutHeader;
import dev.jnydus.fuse.api.Context;
import dev.jnydus.fuse.api.FileSystem;
import dev.jnydus.fuse.transport.FuseChannel;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves one {@link FileSystem} over the FUSE protocol: {@link #handle} decodes one request,
 * dispatches it, and sends the reply through the channel it came from; {@link #serve} is the
 * worker loop around it. A server is shared by all workers of a session; each worker brings its
 * own channel and its own pair of buffers ({@link #bufferSize()} bytes each).
 *
 * <p>Replies: a {@link FsException} becomes an error reply with its errno (logged at debug); any
 * other exception from the filesystem becomes EIO (logged at error). The encoder never sends errno
 * 0 or a number outside {@link Errno}: it substitutes EIO and logs. Malformed requests raise
 * {@link FuseProtocolException} after an EIO reply when the header could be read. FORGET,
 * BATCH_FORGET, INTERRUPT and NOTIFY_REPLY get no reply.
 *
 * <p>Answers that come later: a READ whose {@link FileSystem#readAsync} returns a stage is answered
 * when the stage completes, from the completing thread, through the channel that received it, while
 * the worker goes on serving (see {@link DeferredReplies}). An INTERRUPT for such a request is
 * answered EINTR when the {@link InterruptPolicy} says so.
 *
 * <p>The parts: {@link Dispatcher} (arguments, the filesystem call, the payload), {@link Negotiation}
 * (INIT), {@link Replies} (headers and errno rules), {@link DeferredReplies}.
 */
public final class Server {
    private static final Logger LOG = LoggerFactory.getLogger(Server.class);

    /** Room for the request header and arguments in front of a full-size WRITE payload. */
    public static final int HEADER_ROOM = 4096;
    /** Pages per request we ask for with MAX_PAGES (1 MiB with 4 KiB pages), as fuse-backend-rs. */
    public static final int DEFAULT_MAX_PAGES = 256;
    private static final int PAGE_SIZE = 4096;

    private final int maxPages;
    private final RequestMetrics metrics;
    private final Ticker ticker;
    private final Negotiation negotiation;
    private final DeferredReplies deferred;
    private final Dispatcher dispatcher;

    private Server(Builder b) {
        this.maxPages = b.maxPages;
        this.metrics = b.metrics;
        this.ticker = b.ticker;
        this.negotiation = new Negotiation(b.fs, b.maxPages, maxTransfer(), b.maxBackground, b.congestionThreshold);
        this.deferred = new DeferredReplies(b.metrics, b.ticker, b.interrupts);
        this.dispatcher = new Dispatcher(b.fs, negotiation, deferred);
        if (b.resumed != null) {
            negotiation.resume(b.resumed);
        }
    }

    public static Builder builder(FileSystem fs) {
        return new Builder(fs);
    }

    /** The size of each receive and reply buffer a worker needs: the largest read or write plus headers. */
    public int bufferSize() {
        return maxTransfer() + HEADER_ROOM;
    }

    /** The largest READ/WRITE payload we announce (max_write), in bytes. */
    public int maxTransfer() {
        return maxPages * PAGE_SIZE;
    }

    /** The INIT outcome, once the kernel's INIT was answered. */
    public Optional<Negotiated> negotiated() {
        return Optional.ofNullable(negotiation.get());
    }

    public boolean isInitialized() {
        return negotiation.get() != null;
    }

    /** Requests received and not answered yet because their answer comes later. */
    public int deferredRequests() {
        return deferred.size();
    }

    /**
     * Waits until every request answered later has been answered (their channels must stay open
     * meanwhile); false when {@code timeout} passed first.
     */
    public boolean awaitDeferred(java.time.Duration timeout) throws InterruptedException {
        return deferred.awaitNone(timeout.toNanos());
    }

    /**
     * Serves requests from {@code channel} until it reports the end of the session. Allocates this
     * worker's two direct buffers (zeroed, so resident at once). Returns normally when the session ends (unmount, abort, stop);
     * throws only when receiving fails otherwise.
     */
    public void serve(FuseChannel channel) throws IOException {
        serve(channel, ByteBuffer.allocateDirect(bufferSize()), ByteBuffer.allocateDirect(bufferSize()));
    }

    /**
     * As {@link #serve(FuseChannel)}, with the worker's buffers given (direct, at least
     * {@link #bufferSize()} bytes each), so that the transport may hand out memory that becomes
     * resident only where it is touched; neither is used once this returns.
     */
    public void serve(FuseChannel channel, ByteBuffer request, ByteBuffer reply) throws IOException {
        if (request.capacity() < bufferSize() || reply.capacity() < bufferSize()) {
            throw new IllegalArgumentException("worker buffers of " + request.capacity() + " and " + reply.capacity()
                    + " bytes are smaller than " + bufferSize());
        }
        ByteBuffer in = request.clear().order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer out = reply.clear().order(ByteOrder.LITTLE_ENDIAN);
        while (channel.receive(in)) {
            try {
                handle(in, out, channel);
            } catch (FuseProtocolException e) {
                LOG.error("dropped a malformed FUSE request: {}", e.getMessage());
            } catch (FsException e) {
                if (e.errno() == Errno.ENODEV || e.errno() == Errno.ECONNABORTED) {
                    LOG.debug("session ended while sending a reply: {}", e.getMessage());
                    return;
                }
                LOG.error("sending a FUSE reply failed: {}", e.getMessage());
            }
        }
    }

    /**
     * Handles the one request in {@code request[position, limit)}, encoding the reply in
     * {@code reply} (a buffer of at least {@link #bufferSize()} bytes, reused across calls) and
     * sending it through {@code channel}, or leaving it to a later answer through the same channel.
     * Neither buffer is used once this returns.
     *
     * @throws FuseProtocolException when the request does not parse (an EIO reply was sent when
     *     its header could be read)
     * @throws IOException when the channel fails to send
     */
    public void handle(ByteBuffer request, ByteBuffer reply, FuseChannel channel) throws IOException {
        ByteBuffer in = request.slice().order(ByteOrder.LITTLE_ENDIAN);
        if (in.remaining() < InHeader.SIZE) {
            throw new FuseProtocolException("request of " + in.remaining() + " bytes is shorter than fuse_in_header ("
                    + InHeader.SIZE + ")");
        }
        InHeader h = InHeader.decode(in);
        ByteBuffer out = reply.clear().order(ByteOrder.LITTLE_ENDIAN);
        if (h.len() != in.limit()) {
            Replies.sendError(out, channel, h.unique(), Errno.EIO);
            throw new FuseProtocolException("header says " + h.len() + " bytes but the request has " + in.limit()
                    + " (opcode " + h.opcode() + ", unique " + h.unique() + ")");
        }
        Opcode op = Opcode.of(h.opcode());
        if (op == null) {
            LOG.debug("unknown opcode {} (unique {}): ENOSYS", h.opcode(), h.unique());
            Replies.sendError(out, channel, h.unique(), Errno.ENOSYS);
            return;
        }
        Context ctx = new Context(h.unique(), h.uid(), h.gid(), h.pid());
        out.position(OutHeader.SIZE);
        try {
            metrics.begin(op, h.nodeId(), h.unique());
        } catch (RuntimeException e) {
            LOG.warn("request metrics hook failed", e);
        }
        long start = ticker.nanos();
        Errno error = null;
        FuseProtocolException malformed = null;
        Dispatcher.Outcome outcome = op.noReply() ? Dispatcher.Outcome.NO_REPLY : Dispatcher.Outcome.REPLY;
        try {
            Dispatcher.Outcome o = dispatcher.dispatch(op, h, ctx, in, out, channel, start);
            if (o != Dispatcher.Outcome.REPLY) {
                outcome = o;
            }
        } catch (FsException e) {
            error = Replies.checkedErrno(e.errno(), op, e);
            if (LOG.isDebugEnabled()) {
                LOG.debug("{} node {} (unique {}): {}", op, h.nodeId(), h.unique(), e.getMessage());
            }
        } catch (FuseProtocolException e) {
            error = Errno.EIO;
            malformed = e;
        } catch (RuntimeException | OutOfMemoryError | StackOverflowError e) {
            // A bug or exhaustion in the filesystem: the caller still gets an answer, never a hang.
            error = e instanceof OutOfMemoryError ? Errno.ENOMEM : Errno.EIO;
            LOG.error("{} node {} (unique {}) failed in the filesystem", op, h.nodeId(), h.unique(), e);
        }
        if (outcome == Dispatcher.Outcome.DEFERRED) {
            // Recorded and answered when the answer comes.
            return;
        }
        try {
            metrics.end(op, h.nodeId(), h.unique(), ticker.nanos() - start, error == null ? 0 : error.number());
        } catch (RuntimeException e) {
            LOG.warn("request metrics hook failed", e);
        }
        if (outcome == Dispatcher.Outcome.REPLY) {
            if (error != null) {
                Replies.sendError(out, channel, h.unique(), error);
            } else {
                Replies.sendPayload(out, channel, h.unique());
            }
        }
        if (malformed != null) {
            throw new FuseProtocolException(op + ": " + malformed.getMessage());
        }
    }


    /** Configures a {@link Server}; every setting has the upstream default. */
    public static final class Builder {
        private final FileSystem fs;
        private int maxPages = DEFAULT_MAX_PAGES;
        private int maxBackground = 0xffff;
        private int congestionThreshold = 0xffff / 4 * 3;
        private RequestMetrics metrics = RequestMetrics.NONE;
        private Ticker ticker = Ticker.system();
        private InterruptPolicy interrupts = InterruptPolicy.FATAL_SIGNALS;
        private Negotiated resumed;

        private Builder(FileSystem fs) {
            this.fs = Objects.requireNonNull(fs, "fs");
        }

        /**
         * Pages per READ/WRITE (FUSE_MAX_PAGES), 1..256 (the kernel's limit); sets {@link #bufferSize}.
         * Default 256 (1 MiB).
         */
        public Builder maxPages(int pages) {
            if (pages < 1 || pages > 256) {
                throw new IllegalArgumentException("maxPages must be 1..256, got " + pages);
            }
            this.maxPages = pages;
            return this;
        }

        /**
         * Background (asynchronous: readahead, async direct I/O) requests the kernel may queue, and
         * the level at which it reports congestion. Defaults 65535 and 49149, as fuse-backend-rs.
         */
        public Builder background(int maxBackground, int congestionThreshold) {
            if (maxBackground < 1 || maxBackground > 0xffff || congestionThreshold < 0
                    || congestionThreshold > maxBackground) {
                throw new IllegalArgumentException("need 1 <= maxBackground <= 65535 and 0 <= congestionThreshold <= "
                        + "maxBackground, got " + maxBackground + " and " + congestionThreshold);
            }
            this.maxBackground = maxBackground;
            this.congestionThreshold = congestionThreshold;
            return this;
        }

        public Builder metrics(RequestMetrics metrics) {
            this.metrics = Objects.requireNonNull(metrics, "metrics");
            return this;
        }

        /** The clock for {@link RequestMetrics} latencies. */
        public Builder ticker(Ticker ticker) {
            this.ticker = Objects.requireNonNull(ticker, "ticker");
            return this;
        }

        /**
         * What an INTERRUPT does to a request answered later. Default
         * {@link InterruptPolicy#FATAL_SIGNALS}: EINTR for callers being killed, nothing for others.
         */
        public Builder interrupts(InterruptPolicy policy) {
            this.interrupts = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /**
         * Serves a connection whose INIT was answered by a predecessor (hot upgrade, failover), with
         * what was negotiated then; the server counts as initialized from the start.
         */
        public Builder resumed(Negotiated negotiated) {
            this.resumed = Objects.requireNonNull(negotiated, "negotiated");
            return this;
        }

        public Server build() {
            return new Server(this);
        }
    }
}
