package dev.jnydus.builder;

/**
 * Receives build progress; the CLI draws a progress line from it on a terminal. Called from the
 * building thread only. Every method defaults to doing nothing.
 */
public interface BuildProgress {
    BuildProgress NONE = new BuildProgress() {
    };

    /** Called with the total regular-file bytes once the source has been scanned (directory builds). */
    default void scanned(long entries, long totalBytes) {
    }

    /** One more source entry seen. */
    default void entryScanned() {
    }

    /** {@code bytes} more file bytes read and chunked. */
    default void dataRead(long bytes) {
    }

    /** The build finished (successfully or not); a progress line should be cleared. */
    default void done() {
    }
}
