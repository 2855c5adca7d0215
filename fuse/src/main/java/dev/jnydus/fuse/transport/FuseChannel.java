package dev.jnydus.fuse.transport;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Moves FUSE messages between the kernel (or a test) and the server; knows nothing of their
 * contents. One worker thread receives from a channel at a time; {@link #send} may be called from
 * any thread, concurrently (a request answered later is answered through the channel that received
 * it, from the thread that completes it).
 *
 * <p>Implementations: {@code transport.dev.DevFuseChannel} over a cloned /dev/fuse descriptor, and
 * the testkit's {@code ByteBufferFuseChannel} for server tests.
 */
public interface FuseChannel {
    /**
     * Waits for the next request and reads it whole into {@code dst} (which the implementation
     * clears first), then flips it so that the request is {@code [0, limit)}.
     *
     * @return {@code false} when the session is over (unmounted, aborted, or the channel was asked
     *     to stop): the caller stops serving. Transient conditions (EINTR, EAGAIN, an interrupted
     *     request) are retried inside.
     * @throws IOException on any other failure, or when {@code dst} is too small for a request
     */
    boolean receive(ByteBuffer dst) throws IOException;

    /**
     * Sends one message made of the remaining bytes of {@code parts}, in order, as a single write
     * (the kernel takes exactly one message per write). Positions are not required to advance. A
     * reply the kernel no longer wants (its request was interrupted or aborted: ENOENT) is dropped
     * silently. Thread-safe; the parts are not kept after it returns.
     *
     * @throws IOException when sending fails; {@code FsException} with ENODEV or ECONNABORTED
     *     means the session is over, or the channel was closed
     */
    void send(ByteBuffer... parts) throws IOException;
}
