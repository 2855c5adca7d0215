package dev.jnydus.daemon.upgrade;

import dev.jnydus.common.Errno;
import dev.jnydus.common.FsException;
import dev.jnydus.sys.Fd;
import dev.jnydus.sys.FdMessage;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon's side of the supervisor socket ({@code --supervisor}, spec 4.4). The daemon is
 * always the client: the supervisor listens only while it expects a save (before it calls
 * {@code PUT /api/v1/daemon/fuse/sendfd}) or a restore (before it calls {@code .../takeover}).
 *
 * <ul>
 *   <li>{@link #save}: connect, send the state with the one descriptor attached to the first
 *       {@code sendmsg}, the rest of the bytes after it, close.</li>
 *   <li>{@link #restore}: connect, receive (upstream: a 32 KiB first buffer and room for 16
 *       descriptors) until the supervisor closes; at least one descriptor must come, the first is
 *       the session, any others are closed.</li>
 * </ul>
 */
public final class SupervisorClient {
    private static final Logger LOG = LoggerFactory.getLogger(SupervisorClient.class);
    /** Descriptors accepted per segment, as upstream. */
    static final int MAX_FDS = 16;
    /** How long a restore waits for each part of the state once connected. */
    static final Duration RECEIVE_TIMEOUT = Duration.ofSeconds(30);

    private final Path socket;

    public SupervisorClient(Path socket) {
        this.socket = Objects.requireNonNull(socket, "socket");
    }

    public Path socket() {
        return socket;
    }

    /** What a restore brought back; the caller owns {@code fd}. */
    public record Restored(SavedState state, Fd fd) {
        public Restored {
            Objects.requireNonNull(state, "state");
            Objects.requireNonNull(fd, "fd");
        }
    }

    /** Hands {@code state} and {@code fd} (which stays the caller's) to the supervisor. */
    public void save(SavedState state, Fd fd) throws IOException {
        byte[] bytes = state.toBytes();
        FdMessage.send(socket, bytes, fd);
        LOG.info("saved {} bytes of state and fd {} with supervisor {}: {}", bytes.length, fd.number(), socket,
                state.summary());
    }

    /**
     * Takes back the state and descriptor the supervisor holds.
     *
     * @throws IOException the supervisor cannot be reached, sent no descriptor, or sent a state
     *     this version cannot read ({@link StateFormatException})
     */
    public Restored restore() throws IOException {
        try (FdMessage m = FdMessage.receive(socket, MAX_FDS, RECEIVE_TIMEOUT)) {
            if (m.fds().isEmpty()) {
                throw new FsException(Errno.EINVAL, "supervisor " + socket + " sent " + m.payload().length
                        + " bytes of state but no file descriptor");
            }
            if (m.fds().size() > 1) {
                LOG.warn("supervisor {} sent {} file descriptors; using the first", socket, m.fds().size());
            }
            SavedState state = SavedState.parse(m.payload());
            Fd fd = m.take(0);
            LOG.info("restored fd {} and {} bytes of state from supervisor {}: {}", fd.number(), m.payload().length,
                    socket, state.summary());
            return new Restored(state, fd);
        }
    }
}
