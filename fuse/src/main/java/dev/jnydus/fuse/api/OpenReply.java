package dev.jnydus.fuse.api;

/**
 * The handle an open returns and the {@code FOPEN_*} flags that tell the kernel how to cache the
 * file. The kernel passes {@code fh} back on every operation on this open file and in release.
 */
public record OpenReply(long fh, int flags) {
    /** Bypass the page cache for this open file. */
    public static final int DIRECT_IO = 1;
    /** Keep the page cache from earlier opens (the file did not change). */
    public static final int KEEP_CACHE = 1 << 1;
    /** The file is not seekable. */
    public static final int NONSEEKABLE = 1 << 2;
    /** Let the kernel cache this directory's entries (readdir). */
    public static final int CACHE_DIR = 1 << 3;
    /** The file is stream-like, with no file position at all. */
    public static final int STREAM = 1 << 4;
    /** Do not send FLUSH when this file is closed. */
    public static final int NOFLUSH = 1 << 5;

    public static OpenReply of(long fh) {
        return new OpenReply(fh, 0);
    }
}
