package dev.jnydus.daemon;

import dev.jnydus.common.FsException;
import dev.jnydus.sys.Fd;
import dev.jnydus.sys.Sys;
import dev.jnydus.sys.UnixSockets;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The daemon's side of the supervisor socket (spec nydusd-interface 4.4), as upstream speaks it:
 * to save, connect and send the state bytes with one descriptor attached to the first
 * {@code sendmsg}, then the rest, then close; to restore, connect and receive into a 32 KiB first
 * buffer with room for 16 descriptors, then read until the supervisor closes. The payload is
 * opaque to the supervisor.
 */
final class SupervisorLink {
    static final int FIRST_BUFFER = 32 << 10;
    static final int MAX_FDS = 16;

    private SupervisorLink() {
    }

    /** What a restore received: the state and the descriptors (the caller owns them). */
    record Received(byte[] state, List<Fd> fds) {
    }

    /** Sends {@code state} with {@code fd} to the supervisor listening at {@code socket}. */
    static void save(Path socket, byte[] state, Fd fd) throws IOException {
        try (Fd s = UnixSockets.connectUnix(socket)) {
            ByteBuffer buf = ByteBuffer.allocateDirect(Math.max(1, state.length)).put(state).flip();
            UnixSockets.sendWithFds(s, buf, fd);
            while (buf.hasRemaining()) {
                Sys.write(s, buf);
            }
        }
    }

    /** Receives the state and descriptors the supervisor at {@code socket} holds for this daemon. */
    static Received restore(Path socket) throws IOException {
        List<Fd> fds = new ArrayList<>();
        try (Fd s = UnixSockets.connectUnix(socket)) {
            ByteBuffer first = ByteBuffer.allocateDirect(FIRST_BUFFER);
            UnixSockets.Received r = UnixSockets.recvWithFds(s, first, MAX_FDS);
            fds.addAll(r.fds());
            if (r.controlTruncated()) {
                throw new IOException("the supervisor sent more than " + MAX_FDS + " descriptors");
            }
            if (fds.isEmpty()) {
                throw new IOException("the supervisor at " + socket + " sent no descriptor");
            }
            ByteArrayOutputStream state = new ByteArrayOutputStream();
            byte[] chunk = new byte[first.flip().remaining()];
            first.get(chunk);
            state.writeBytes(chunk);
            ByteBuffer rest = ByteBuffer.allocateDirect(FIRST_BUFFER);
            while (r.bytes() > 0) {
                rest.clear();
                int n = Sys.read(s, rest);
                if (n == 0) {
                    break;
                }
                rest.flip();
                chunk = new byte[n];
                rest.get(chunk);
                state.writeBytes(chunk);
            }
            return new Received(state.toByteArray(), List.copyOf(fds));
        } catch (FsException | RuntimeException e) {
            for (Fd fd : fds) {
                fd.close();
            }
            throw e;
        }
    }
}
