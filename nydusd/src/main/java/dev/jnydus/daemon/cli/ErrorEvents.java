package dev.jnydus.daemon.cli;

import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Locale;

/**
 * The daemon's recent errors for {@code GET /api/v1/daemon/events} (upstream's ErrorHolder): every
 * ERROR-level log line, stamped {@code <HTTP-date> - <message>}, in a ring of at most
 * {@code maxErrors} entries and {@code maxSize} bytes; the oldest go first.
 */
public final class ErrorEvents {
    /** Upstream's limits. */
    public static final int MAX_ERRORS = 500;
    public static final int MAX_SIZE = 50 * 1024;

    /** Made at the first error, not when {@code main} creates the ring on its way to the mount. */
    private static final class HttpDate {
        static final DateTimeFormatter FORMAT = DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US);
    }

    /** A consistent copy, with upstream's field meanings. */
    public record Snapshot(int maxErrors, int totalErrors, int maxSize, int totalSize, List<String> errors) {
    }

    private final int maxErrors;
    private final int maxSize;
    private final ArrayDeque<String> errors = new ArrayDeque<>();
    private int totalSize;

    public ErrorEvents() {
        this(MAX_ERRORS, MAX_SIZE);
    }

    public ErrorEvents(int maxErrors, int maxSize) {
        this.maxErrors = maxErrors;
        this.maxSize = maxSize;
    }

    /** Records one error now; one longer than the whole ring is dropped. */
    public void push(String message) {
        push(message, ZonedDateTime.now(ZoneOffset.UTC));
    }

    synchronized void push(String message, ZonedDateTime when) {
        String e = HttpDate.FORMAT.format(when) + " - " + message;
        int len = e.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        if (len > maxSize) {
            return;
        }
        while (!errors.isEmpty() && (len + totalSize > maxSize || errors.size() >= maxErrors)) {
            totalSize -= errors.removeFirst().getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        }
        errors.addLast(e);
        totalSize += len;
    }

    public synchronized Snapshot snapshot() {
        return new Snapshot(maxErrors, errors.size(), maxSize, totalSize, List.copyOf(errors));
    }
}
