package dev.jnydus.fuse.server;

import dev.jnydus.common.Errno;
import dev.jnydus.common.FsException;
import dev.jnydus.fuse.abi.Opcode;
import dev.jnydus.fuse.abi.OutHeader;
import dev.jnydus.fuse.transport.FuseChannel;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reply headers and the errno rules: an error reply carries a known errno other than 0, or EIO
 * with a log line.
 */
final class Replies {
    private static final Logger LOG = LoggerFactory.getLogger(Replies.class);

    private Replies() {
    }

    /** Keeps an errno we may send; anything else becomes EIO with a log line. */
    static Errno checkedErrno(Errno e, Opcode op, FsException cause) {
        if (e == null || Errno.of(e.number()) != e) {
            LOG.error("{}: filesystem raised an exception without a valid errno ({}); replying EIO", op, e, cause);
            return Errno.EIO;
        }
        return e;
    }

    /** The number an error reply carries: {@code errno}'s, or EIO's when it may not be sent. */
    private static int sendable(Errno errno, long unique) {
        int n = errno == null ? 0 : errno.number();
        if (n <= 0 || n >= 4096 || Errno.of(n) != errno) {
            LOG.error("refusing to send errno {} (unique {}); sending EIO", errno, unique);
            n = Errno.EIO.number();
        }
        return n;
    }

    /** Sends an error reply for {@code unique}, encoded in {@code out} (cleared first). */
    static void sendError(ByteBuffer out, FuseChannel channel, long unique, Errno errno) throws IOException {
        out.clear();
        new OutHeader(OutHeader.SIZE, -sendable(errno, unique), unique).encode(out);
        channel.send(out.flip());
    }

    /** Sends the reply whose payload {@code out} holds from {@link OutHeader#SIZE} to its position. */
    static void sendPayload(ByteBuffer out, FuseChannel channel, long unique) throws IOException {
        int len = out.position();
        out.putInt(0, len).putInt(4, 0).putLong(8, unique);
        channel.send(out.flip());
    }

    /**
     * A header of its own, for a reply sent away from the worker that received the request:
     * success with {@code payload} bytes to follow, or the error {@code errno}.
     */
    static ByteBuffer header(long unique, Errno errno, int payload) {
        ByteBuffer b = ByteBuffer.allocateDirect(OutHeader.SIZE).order(ByteOrder.LITTLE_ENDIAN);
        if (errno == null) {
            new OutHeader(OutHeader.SIZE + payload, 0, unique).encode(b);
        } else {
            new OutHeader(OutHeader.SIZE, -sendable(errno, unique), unique).encode(b);
        }
        return b.flip();
    }
}
