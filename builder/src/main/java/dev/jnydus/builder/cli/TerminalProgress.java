package dev.jnydus.builder.cli;

import dev.jnydus.builder.BuildProgress;
import java.io.PrintStream;

/**
 * A single progress line on standard error, redrawn at most five times a second, and only when
 * standard error is a terminal: logs and pipes get nothing.
 */
final class TerminalProgress implements BuildProgress, AutoCloseable {
    private static final long INTERVAL_NANOS = 200_000_000L;

    private final PrintStream out;
    private final boolean enabled;
    private final java.util.function.LongSupplier nanoTime;
    private final long start;
    private long last;
    private long entries;
    private long bytes;
    private long total = -1;
    private boolean drawn;

    TerminalProgress(PrintStream out, boolean enabled, java.util.function.LongSupplier nanoTime) {
        this.out = out;
        this.enabled = enabled;
        this.nanoTime = nanoTime;
        this.start = nanoTime.getAsLong();
        this.last = start - INTERVAL_NANOS;
    }

    static TerminalProgress forStderr() {
        // System.console() is null unless both stdin and stdout are terminals; TERM is a good proxy
        // for "stderr goes to a person".
        boolean tty = System.console() != null && System.getenv("TERM") != null && !"dumb".equals(System.getenv("TERM"));
        return new TerminalProgress(System.err, tty, System::nanoTime);
    }

    @Override
    public void scanned(long e, long totalBytes) {
        total = totalBytes;
        draw(false);
    }

    @Override
    public void entryScanned() {
        entries++;
        draw(false);
    }

    @Override
    public void dataRead(long b) {
        bytes += b;
        draw(false);
    }

    private void draw(boolean force) {
        if (!enabled) {
            return;
        }
        long now = nanoTime.getAsLong();
        if (!force && now - last < INTERVAL_NANOS) {
            return;
        }
        last = now;
        double secs = Math.max(1e-3, (now - start) / 1e9);
        String line = total > 0
                ? String.format("%d entries, %d/%d MiB (%.0f%%), %.1f MiB/s", entries, bytes >> 20, total >> 20,
                        100.0 * bytes / total, bytes / secs / (1 << 20))
                : String.format("%d entries, %d MiB, %.1f MiB/s", entries, bytes >> 20, bytes / secs / (1 << 20));
        out.print("\r\033[K" + line);
        out.flush();
        drawn = true;
    }

    @Override
    public void done() {
        if (drawn) {
            out.print("\r\033[K");
            out.flush();
            drawn = false;
        }
    }

    @Override
    public void close() {
        done();
    }
}
