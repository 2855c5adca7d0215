package dev.jnydus.fuse.transport.dev;

import dev.jnydus.common.FsException;
import dev.jnydus.sys.AnonymousMemory;
import java.nio.ByteBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A FUSE worker's request and reply buffers, each {@code size} bytes (max_write or max_read plus
 * headers: 1 MiB and a page by default), in anonymous mappings whose pages become resident only
 * when touched. The kernel needs a request buffer that could hold the largest WRITE, but a
 * read-only filesystem's requests touch its first page or two, and a reply buffer is touched only
 * as far as the largest reply sent; {@link ByteBuffer#allocateDirect} would zero, and so make
 * resident, both whole buffers in every worker. Falls back to that when the mapping fails.
 */
final class WorkerBuffers implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WorkerBuffers.class);

    private final AnonymousMemory requestMemory;
    private final AnonymousMemory replyMemory;
    private final ByteBuffer request;
    private final ByteBuffer reply;

    private WorkerBuffers(AnonymousMemory requestMemory, AnonymousMemory replyMemory, ByteBuffer request,
                          ByteBuffer reply) {
        this.requestMemory = requestMemory;
        this.replyMemory = replyMemory;
        this.request = request;
        this.reply = reply;
    }

    static WorkerBuffers of(int size) {
        AnonymousMemory in = null;
        try {
            in = AnonymousMemory.map(size);
            AnonymousMemory out = AnonymousMemory.map(size);
            return new WorkerBuffers(in, out, in.buffer(), out.buffer());
        } catch (FsException e) {
            if (in != null) {
                in.close();
            }
            LOG.warn("worker buffers fall back to zeroed direct memory: {}", e.getMessage());
            return new WorkerBuffers(null, null, ByteBuffer.allocateDirect(size), ByteBuffer.allocateDirect(size));
        }
    }

    ByteBuffer request() {
        return request;
    }

    ByteBuffer reply() {
        return reply;
    }

    /** Whether the buffers are mappings that become resident page by page (false after a fallback). */
    boolean isLazy() {
        return requestMemory != null;
    }

    /** Unmaps the buffers; the worker must no longer use them. */
    @Override
    public void close() {
        if (requestMemory != null) {
            requestMemory.close();
            replyMemory.close();
        }
    }
}
