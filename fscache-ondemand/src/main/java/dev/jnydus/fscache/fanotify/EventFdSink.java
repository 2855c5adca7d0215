package dev.jnydus.fscache.fanotify;

import dev.jnydus.cache.device.BlobDevice;
import dev.jnydus.cache.device.BlobIoVec;
import dev.jnydus.cache.device.ChunkSink;
import dev.jnydus.cache.device.ChunkSlice;
import dev.jnydus.sys.Fd;
import dev.jnydus.sys.Sys;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * Writes the chunks a device read delivers into the cache file through the event's descriptor,
 * each at its uncompressed offset, unless the cache already says the chunk may be read from the
 * file ({@link BlobDevice#isReadyForDirectRead}).
 *
 * <p>Why write at all, when the cache stores what it fetches? Because the event may only be
 * allowed once the bytes are in the file, and a device read may return before they are: a chunk
 * another thread is fetching is handed out when its fetch completes, before that thread has
 * stored it, and a store that fails is only logged. Writing through the event's descriptor raises
 * no event of its own (spec 6.2) and puts the same bytes at the same place, so it never conflicts
 * with the cache's own write. A chunk the map calls ready was written before it was marked; one an
 * unclean stop left unverified is checked by the device read, and counts once it passed.
 */
final class EventFdSink implements ChunkSink {
    private final Fd eventFd;
    private final BlobDevice device;
    private final List<ChunkSlice> slices;
    private int slice;
    private int done;
    private long written;

    EventFdSink(Fd eventFd, BlobDevice device, BlobIoVec io) {
        this.eventFd = eventFd;
        this.device = device;
        this.slices = io.slices();
    }

    @Override
    public void accept(ByteBuffer data) throws IOException {
        while (data.hasRemaining()) {
            if (slice >= slices.size()) {
                throw new IllegalStateException("device delivered more bytes than requested");
            }
            ChunkSlice s = slices.get(slice);
            int take = Math.min(s.length() - done, data.remaining());
            if (!device.isReadyForDirectRead(s.chunk())) {
                ByteBuffer part = data.slice(data.position(), take);
                long at = s.chunk().uncompressedOffset() + s.offset() + done;
                while (part.hasRemaining()) {
                    at += Sys.pwrite(eventFd, part, at);
                }
                written += take;
            }
            data.position(data.position() + take);
            done += take;
            if (done == s.length()) {
                slice++;
                done = 0;
            }
        }
    }

    long written() {
        return written;
    }
}
