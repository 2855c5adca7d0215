package dev.jnydus.sys;

import dev.jnydus.common.Errno;
import dev.jnydus.common.FsException;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One message of bytes with file descriptors over a Unix stream socket, the way nydusd and its
 * supervisor (nydus-snapshotter) exchange a daemon's saved state: the sender attaches the
 * descriptors as {@code SCM_RIGHTS} to its first {@code sendmsg}, writes whatever bytes that call
 * did not take, and closes; the receiver reads until end of stream, keeping the descriptors of
 * every segment. There is no framing: the end of the message is the end of the connection.
 *
 * <p>Receiving waits at most the given timeout for each segment (a peer that accepts and then
 * says nothing must not hang the caller for ever), and owns nothing on failure: descriptors
 * received before an error are closed.
 */
public final class FdMessage implements AutoCloseable {
    /** The first buffer upstream nydusd receives into (and the size of each later read). */
    public static final int SEGMENT = 32 << 10;

    private final byte[] payload;
    private final List<Fd> fds;

    private FdMessage(byte[] payload, List<Fd> fds) {
        this.payload = payload;
        this.fds = List.copyOf(fds);
    }

    /** The bytes received. */
    public byte[] payload() {
        return payload.clone();
    }

    /** The descriptors received, in order; the message owns them until {@link #take}n. */
    public List<Fd> fds() {
        return fds;
    }

    /**
     * Takes the descriptor at {@code index} out of the message: the caller owns it, and
     * {@link #close} leaves it open.
     */
    public Fd take(int index) {
        return Fd.adopt(fds.get(index).release());
    }

    /** Closes the descriptors not taken. */
    @Override
    public void close() {
        for (Fd fd : fds) {
            fd.close();
        }
    }

    /** Connects to {@code socket}, sends {@code payload} with {@code fds}, and closes. */
    public static void send(Path socket, byte[] payload, Fd... fds) throws FsException {
        try (Fd s = UnixSockets.connectUnix(socket)) {
            send(s, payload, fds);
        }
    }

    /**
     * Sends {@code payload} on a connected stream socket, {@code fds} attached to the first
     * segment. On a stream socket a descriptor travels with at least one byte, so an empty payload
     * with descriptors is refused.
     */
    public static void send(Fd socket, byte[] payload, Fd... fds) throws FsException {
        Objects.requireNonNull(payload, "payload");
        if (payload.length == 0 && fds.length > 0) {
            throw new FsException(Errno.EINVAL, "descriptors need at least one byte to travel with");
        }
        ByteBuffer buf = ByteBuffer.allocateDirect(Math.max(1, payload.length)).put(payload).flip();
        if (fds.length > 0) {
            sendFirst(socket, buf, fds);
        }
        while (buf.hasRemaining()) {
            try {
                Sys.write(socket, buf);
            } catch (FsException e) {
                if (e.errno() != Errno.EINTR) {
                    throw e;
                }
            }
        }
    }

    private static void sendFirst(Fd socket, ByteBuffer buf, Fd[] fds) throws FsException {
        while (true) {
            try {
                UnixSockets.sendWithFds(socket, buf, fds);
                return;
            } catch (FsException e) {
                if (e.errno() != Errno.EINTR) {
                    throw e;
                }
            }
        }
    }

    /**
     * Connects to {@code socket} and receives one message, up to {@code maxFds} descriptors per
     * segment, waiting at most {@code timeout} for each segment.
     *
     * @throws FsException ETIMEDOUT when the peer stays silent, E2BIG when it sent more descriptors
     *     than {@code maxFds} in one segment (the kernel dropped the rest), or the socket's error
     */
    public static FdMessage receive(Path socket, int maxFds, Duration timeout) throws FsException {
        try (Fd s = UnixSockets.connectUnix(socket)) {
            return receive(s, maxFds, timeout);
        }
    }

    /** Receives one message from a connected stream socket until the peer closes. */
    public static FdMessage receive(Fd socket, int maxFds, Duration timeout) throws FsException {
        if (maxFds < 1) {
            throw new IllegalArgumentException("maxFds must be at least 1, got " + maxFds);
        }
        int millis = (int) Math.min(Integer.MAX_VALUE, Math.max(1, timeout.toMillis()));
        PollSet readable = new PollSet(new Fd[] {socket}, new short[] {Sys.POLLIN});
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        List<Fd> fds = new ArrayList<>();
        ByteBuffer segment = ByteBuffer.allocateDirect(SEGMENT);
        boolean ok = false;
        try {
            while (true) {
                if (readable.poll(millis) == 0) {
                    throw new FsException(Errno.ETIMEDOUT, "no data from the peer within " + millis + " ms");
                }
                segment.clear();
                UnixSockets.Received r;
                try {
                    r = UnixSockets.recvWithFds(socket, segment, maxFds);
                } catch (FsException e) {
                    if (e.errno() == Errno.EINTR) {
                        continue;
                    }
                    throw e;
                }
                fds.addAll(r.fds());
                if (r.controlTruncated()) {
                    throw new FsException(Errno.E2BIG, "the peer sent more than " + maxFds + " descriptors");
                }
                if (r.bytes() == 0) {
                    break;
                }
                segment.flip();
                byte[] chunk = new byte[segment.remaining()];
                segment.get(chunk);
                data.writeBytes(chunk);
            }
            ok = true;
            return new FdMessage(data.toByteArray(), fds);
        } finally {
            if (!ok) {
                fds.forEach(Fd::close);
            }
        }
    }
}
