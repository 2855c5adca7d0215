package dev.jnydus.daemon;

import dev.jnydus.sys.Fd;
import dev.jnydus.sys.FdMessage;
import dev.jnydus.sys.PollSet;
import dev.jnydus.sys.Sys;
import dev.jnydus.sys.UnixSockets;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A supervisor as nydus-snapshotter's {@code pkg/supervisor} runs one per daemon, for tests: it
 * listens on its socket only while it expects traffic, keeps the last state and descriptor it was
 * given (the state opaque, in memory; the descriptor open, which is what keeps a FUSE connection
 * alive while no daemon holds it), and gives them to whichever daemon connects next.
 *
 * <ul>
 *   <li>{@link #fetchDaemonStates}: {@code FetchDaemonStates}: remove the socket file, listen, run
 *       the trigger ({@code PUT /api/v1/daemon/fuse/sendfd}) while accepting one connection and
 *       receiving from it until EOF; both must succeed.</li>
 *   <li>{@link #sendStatesTimeout}: {@code SendStatesTimeout}: remove the socket file, listen, and
 *       in the background accept one connection (giving up after the timeout) and send the state
 *       with the descriptor.</li>
 * </ul>
 */
final class SnapshotterSupervisor implements AutoCloseable {
    /** The snapshotter's receive side accepts up to 64 descriptors. */
    private static final int MAX_FDS = 64;

    private final Path socket;
    private byte[] state = new byte[0];
    private Fd fd;
    private CompletableFuture<Void> sending = CompletableFuture.completedFuture(null);

    SnapshotterSupervisor(Path socket) {
        this.socket = socket;
    }

    Path socket() {
        return socket;
    }

    synchronized byte[] state() {
        return state.clone();
    }

    /** The descriptor held, or null. */
    synchronized Fd fd() {
        return fd;
    }

    /** Listens, runs {@code trigger}, and stores what the daemon sends; fails when either fails. */
    void fetchDaemonStates(Callable<?> trigger, Duration timeout) throws Exception {
        try (Fd listening = listen()) {
            CompletableFuture<Object> triggered = CompletableFuture.supplyAsync(() -> {
                try {
                    return trigger.call();
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            try (Fd conn = accept(listening, timeout); FdMessage m = FdMessage.receive(conn, MAX_FDS, timeout)) {
                if (m.fds().isEmpty()) {
                    throw new IOException("received no control file descriptor");
                }
                save(m.payload(), m.take(0));
            }
            try {
                triggered.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                throw new IOException("trigger on " + socket + " failed: " + e.getCause(), e.getCause());
            }
        }
    }

    private synchronized void save(byte[] data, Fd received) {
        state = data;
        if (fd != null) {
            fd.close();
        }
        fd = received;
    }

    /** Listens now and, in the background, hands the state and descriptor to the next daemon that connects. */
    synchronized void sendStatesTimeout(Duration timeout) throws IOException {
        if (fd == null) {
            throw new IllegalStateException("no descriptor held");
        }
        Fd listening = listen();
        byte[] data = state.clone();
        Fd held = fd;
        sending = CompletableFuture.runAsync(() -> {
            try (listening; Fd conn = accept(listening, timeout)) {
                FdMessage.send(conn, data, held);
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
    }

    /** Waits until the last {@link #sendStatesTimeout} delivered (or throws what it failed with). */
    void awaitSent(Duration timeout) throws Exception {
        CompletableFuture<Void> s;
        synchronized (this) {
            s = sending;
        }
        try {
            s.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new IOException("sending the states failed: " + e.getCause(), e.getCause());
        }
    }

    private Fd listen() throws IOException {
        Files.deleteIfExists(socket);
        return UnixSockets.listenUnix(socket, 1);
    }

    private Fd accept(Fd listening, Duration timeout) throws IOException {
        PollSet p = new PollSet(new Fd[] {listening}, new short[] {Sys.POLLIN});
        if (p.poll((int) timeout.toMillis()) == 0) {
            throw new IOException(new TimeoutException("nobody connected to " + socket + " within " + timeout));
        }
        return UnixSockets.accept(listening);
    }

    @Override
    public synchronized void close() throws IOException {
        if (fd != null) {
            fd.close();
            fd = null;
        }
        Files.deleteIfExists(socket);
    }
}
