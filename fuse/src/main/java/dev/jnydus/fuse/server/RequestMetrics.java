package dev.jnydus.fuse.server;

import dev.jnydus.fuse.abi.Opcode;

/**
 * Told about every request the server dispatched (unknown opcodes excepted), after the reply was
 * encoded. Called on worker threads, concurrently, and for a request answered later on the thread
 * that completes it: keep it cheap and thread-safe, and never throw (the server logs and ignores
 * exceptions from it).
 */
@FunctionalInterface
public interface RequestMetrics {
    /**
     * @param op the operation
     * @param nodeId the node id from the request header (0 for INIT and the like)
     * @param latencyNanos time from decoding to the reply being ready, by the server's ticker (for
     *     a request answered later, to its answer)
     * @param errno 0 on success, else the positive errno that was replied
     */
    void record(Opcode op, long nodeId, long latencyNanos, int errno);

    /**
     * Told when the server starts handling a request (before the filesystem sees it), on the
     * thread that handles it; {@link #end} follows for every request that gets here, maybe on
     * another thread. For "what is in flight" views. The default does nothing.
     *
     * @param unique the request's unique id from its header
     */
    default void begin(Opcode op, long nodeId, long unique) {
    }

    /**
     * Told when a request that {@link #begin} announced is done: answered (or, for FORGET and the
     * like, handled), on the thread that answered it, which for a request answered later is not
     * the one that began it. {@code unique} pairs it with its {@link #begin}. The default calls
     * {@link #record}; the server calls this, never {@code record} directly.
     */
    default void end(Opcode op, long nodeId, long unique, long latencyNanos, int errno) {
        record(op, nodeId, latencyNanos, errno);
    }

    RequestMetrics NONE = (op, nodeId, latencyNanos, errno) -> { };
}
