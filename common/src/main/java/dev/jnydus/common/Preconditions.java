package dev.jnydus.common;

/** Argument checks whose messages quote the offending value. */
public final class Preconditions {
    private Preconditions() {
    }

    public static void requireArgument(boolean ok, String format, Object... args) {
        if (!ok) {
            throw new IllegalArgumentException(String.format(format, args));
        }
    }

    public static void requireState(boolean ok, String format, Object... args) {
        if (!ok) {
            throw new IllegalStateException(String.format(format, args));
        }
    }

    /** Checks {@code [offset, offset+length)} lies inside {@code [0, size)} without overflow. */
    public static boolean inBounds(long offset, long length, long size) {
        return offset >= 0 && length >= 0 && size >= 0 && offset <= size && length <= size - offset;
    }
}
