package dev.jnydus.daemon;

import dev.jnydus.sys.Fd;
import dev.jnydus.sys.Sys;
import dev.jnydus.sys.UnixSockets;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The supervisor's side of the supervisor socket (spec nydusd-interface 4.4), as the snapshotter
 * plays it: listen, take the state and descriptor a daemon saves, keep them (the descriptor keeps
 * the kernel's cache alive when the daemon dies), and hand them to the daemon that takes over.
 */
final class TestSupervisor implements AutoCloseable {
    private final Path socket;
    private byte[] state;
    private final List<Fd> fds = new ArrayList<>();

    TestSupervisor(Path socket) {
        this.socket = socket;
    }

    /** Listens for one save; the future completes with the state once it arrived. */
    CompletableFuture<byte[]> expectSave() throws IOException {
        Fd listening = listen();
        return CompletableFuture.supplyAsync(() -> {
            try (listening; Fd c = UnixSockets.accept(listening)) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                ByteBuffer buf = ByteBuffer.allocateDirect(64 << 10);
                UnixSockets.Received r = UnixSockets.recvWithFds(c, buf, 16);
                List<Fd> got = new ArrayList<>(r.fds());
                append(out, buf);
                while (true) {
                    buf.clear();
                    if (Sys.read(c, buf) == 0) {
                        break;
                    }
                    append(out, buf);
                }
                synchronized (this) {
                    for (Fd f : fds) {
                        f.close();
                    }
                    fds.clear();
                    fds.addAll(got);
                    state = out.toByteArray();
                    return state;
                }
            } catch (IOException e) {
                throw new IllegalStateException("receiving the daemon's state failed", e);
            } finally {
                unlink();
            }
        });
    }

    /** Listens for one takeover and sends what was saved; completes once sent. */
    CompletableFuture<Void> expectTakeover() throws IOException {
        byte[] s;
        Fd[] f;
        synchronized (this) {
            if (state == null || fds.isEmpty()) {
                throw new IllegalStateException("nothing was saved");
            }
            s = state;
            f = fds.toArray(new Fd[0]);
        }
        Fd listening = listen();
        return CompletableFuture.runAsync(() -> {
            try (listening; Fd c = UnixSockets.accept(listening)) {
                ByteBuffer buf = ByteBuffer.allocateDirect(s.length).put(s).flip();
                UnixSockets.sendWithFds(c, buf, f);
                while (buf.hasRemaining()) {
                    Sys.write(c, buf);
                }
            } catch (IOException e) {
                throw new IllegalStateException("sending the state failed", e);
            } finally {
                unlink();
            }
        });
    }

    private static void append(ByteArrayOutputStream out, ByteBuffer buf) {
        buf.flip();
        byte[] b = new byte[buf.remaining()];
        buf.get(b);
        out.writeBytes(b);
    }

    private Fd listen() throws IOException {
        Files.deleteIfExists(socket);
        return UnixSockets.listenUnix(socket, 4);
    }

    private void unlink() {
        try {
            Files.deleteIfExists(socket);
        } catch (IOException e) {
            // best effort
        }
    }

    static <T> T await(CompletableFuture<T> f, Duration timeout) throws Exception {
        return f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Drops what it holds: with the last holder of the device gone, the kernel's cache dies. */
    @Override
    public synchronized void close() {
        for (Fd f : fds) {
            f.close();
        }
        fds.clear();
        unlink();
    }
}
