package dev.jnydus.testkit.registry;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * What the server harnesses share: a temporary directory, a port of 127.0.0.1 picked once, and the
 * {@link ManagedProcess} currently serving on it, which can be stopped or killed and started again
 * on the same port. The harness writes its configuration into {@link #dir()} and says how to start
 * the server; callers synchronize on the harness.
 */
final class LocalServer {
    private final String name;
    private final Path dir;
    private final int port;
    private ManagedProcess process;

    /** Creates the directory ({@code dirPrefix} plus a random part) and picks the port. */
    LocalServer(String name, String dirPrefix) throws IOException {
        this.name = name;
        this.dir = Files.createTempDirectory(dirPrefix);
        this.port = ManagedProcess.freePort();
    }

    Path dir() {
        return dir;
    }

    int port() {
        return port;
    }

    /** Runs {@code command} in {@link #dir()}, output to {@code log}, and waits until it listens. */
    void start(List<String> command, Path log, Duration listenTimeout) throws IOException {
        process = ManagedProcess.start(name, command, dir, log);
        process.awaitPort(port, listenTimeout);
    }

    /** SIGTERM (SIGKILL after 5 s) and wait until the port is closed; {@link #start} may follow. */
    void stop() {
        if (process != null) {
            process.stop(Duration.ofSeconds(5));
            ManagedProcess.waitPortClosed(port, Duration.ofSeconds(5));
        }
    }

    /** SIGKILL, as a crash, and wait until the port is closed; {@link #start} may follow. */
    void kill() {
        if (process != null) {
            process.kill();
            ManagedProcess.waitPortClosed(port, Duration.ofSeconds(5));
        }
    }

    boolean running() {
        return process != null && process.alive();
    }

    /** The process id, or -1 before the first start. */
    long pid() {
        return process == null ? -1 : process.pid();
    }

    /** The tail of the current process's log, or empty before the first start. */
    String logTail() {
        return process == null ? "" : process.logTail();
    }

    /** Ends the process, gracefully or at once, and removes the directory. */
    void close(boolean graceful) {
        if (process != null) {
            if (graceful) {
                process.stop(Duration.ofSeconds(3));
            } else {
                process.kill();
            }
        }
        ManagedProcess.deleteTree(dir);
    }
}
