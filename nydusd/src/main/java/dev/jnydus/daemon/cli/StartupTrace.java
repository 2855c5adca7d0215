package dev.jnydus.daemon.cli;

import java.io.FileInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;

/**
 * Wall-clock marks of a daemon's start-up steps, for {@code scripts/bench/startup}: with
 * {@code JNYDUS_STARTUP_TRACE=FILE} in the environment, {@link #write()} appends one line per mark,
 * {@code <step> <microseconds since the epoch> <CPU microseconds of the marking thread>}, so that a
 * harness that noted when it executed the launcher can split the start into launcher and JVM,
 * command line and logging, bootstrap, mount and API, by wall clock and by the CPU time the main
 * thread spent (the steadier figure on a shared machine). Without the variable a mark costs a
 * field read.
 */
public final class StartupTrace {
    private static final int MAX = 32;
    private static final String FILE = System.getenv("JNYDUS_STARTUP_TRACE");
    private static final String[] STEPS = new String[MAX];
    private static final long[] MICROS = new long[MAX];
    private static final long[] CPU = new long[MAX];
    private static int count;

    private StartupTrace() {
    }

    /** Notes that {@code step} is done now. */
    public static void mark(String step) {
        if (FILE == null) {
            return;
        }
        Instant now = Instant.now();
        long cpu = threadCpuMicros();
        synchronized (StartupTrace.class) {
            if (count < MAX) {
                STEPS[count] = step;
                MICROS[count] = now.getEpochSecond() * 1_000_000L + now.getNano() / 1000;
                CPU[count] = cpu;
                count++;
            }
        }
    }

    /** The calling thread's time on a CPU so far (the first field of its schedstat, in ns), or -1. */
    private static long threadCpuMicros() {
        byte[] buf = new byte[64];
        int n;
        try (FileInputStream in = new FileInputStream("/proc/thread-self/schedstat")) {
            n = in.read(buf);
        } catch (IOException e) {
            return -1;
        }
        long ns = 0;
        for (int i = 0; i < n && buf[i] >= '0' && buf[i] <= '9'; i++) {
            ns = ns * 10 + (buf[i] - '0');
        }
        return ns / 1000;
    }

    /** Appends the marks so far to the trace file and forgets them; a failure to write is ignored. */
    public static void write() {
        if (FILE == null) {
            return;
        }
        StringBuilder sb = new StringBuilder();
        synchronized (StartupTrace.class) {
            for (int i = 0; i < count; i++) {
                sb.append(STEPS[i]).append(' ').append(MICROS[i]).append(' ').append(CPU[i]).append('\n');
            }
            count = 0;
        }
        try {
            Files.write(Path.of(FILE), sb.toString().getBytes(StandardCharsets.US_ASCII), StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException | RuntimeException e) {
            // A benchmark aid: the daemon runs on without it.
        }
    }
}
