package dev.jnydus.fuse.server;

import dev.jnydus.fuse.abi.Opcode;

/**
 * Told about every request the server dispatched (unknown opcodes excepted), after the reply was
 * encoded. Called on worker threads, concurrently: keep it cheap and thread-safe, and never throw
 * (the server logs and ignores exceptions from it).
 */
@FunctionalInterface
public interface RequestMetrics {
    /**
     * @param op the operation
     * @param nodeId the node id from the request header (0 for INIT and the like)
     * @param latencyNanos time from decoding to the reply being ready, by the server's ticker
     * @param errno 0 on success, else the positive errno that was replied
     */
    void record(Opcode op, long nodeId, long latencyNanos, int errno);

    /**
     * Told when the server starts handling a request (before the filesystem sees it), on the
     * thread that handles it; {@link #record} follows for every request that gets here. For
     * "what is in flight" views. The default does nothing.
     *
     * @param unique the request's unique id from its header
     */
    default void begin(Opcode op, long nodeId, long unique) {
    }

    RequestMetrics NONE = (op, nodeId, latencyNanos, errno) -> { };
}
