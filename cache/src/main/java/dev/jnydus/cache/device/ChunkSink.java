package dev.jnydus.cache.device;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Where a read delivers its bytes: the device calls {@link #accept} with consecutive pieces, in
 * request order, whose lengths add up to the request size. A sink must consume the whole buffer,
 * must not modify its contents (it may be a view of the shared in-memory chunk cache) and must not
 * keep it after returning. This keeps the cache free of any
 * FUSE or fscache type: the FUSE layer wraps its reply buffer, the fscache layer a file writer.
 */
@FunctionalInterface
public interface ChunkSink {
    void accept(ByteBuffer data) throws IOException;

    /** A sink that copies into {@code dst}, advancing its position. */
    static ChunkSink of(ByteBuffer dst) {
        return new ToBuffer(dst);
    }

    /**
     * The sink of {@link #of}. It also lends its destination, so that bytes read from a cache file
     * can land in it directly (a direct reply buffer, say) instead of passing through a temporary
     * heap buffer and being copied again.
     */
    final class ToBuffer implements ChunkSink {
        private final ByteBuffer dst;

        private ToBuffer(ByteBuffer dst) {
            this.dst = dst;
        }

        @Override
        public void accept(ByteBuffer data) {
            if (data.remaining() > dst.remaining()) {
                throw new IllegalArgumentException("destination has " + dst.remaining() + " bytes left, "
                        + data.remaining() + " delivered");
            }
            dst.put(data);
        }

        /**
         * The destination. A reader that fills {@code [position, position + n)} itself must then
         * move the position past those bytes, exactly as {@link #accept} would have.
         */
        public ByteBuffer destination() {
            return dst;
        }
    }
}
