package dev.jnydus.sys;

import dev.jnydus.common.FsException;

/** Advice about a file's pages in the page cache ({@code posix_fadvise(2)}). */
public final class PageCache {
    private static final int POSIX_FADV_DONTNEED = 4;

    private PageCache() {
    }

    /**
     * Drops the file's clean, unmapped pages from the page cache, so that the next read goes to
     * the filesystem again (for EROFS: to its backing files).
     */
    public static void dropClean(Fd fd) throws FsException {
        KernelCalls.ensureAvailable();
        int err = KernelCalls.posix_fadvise(fd.get(), 0, 0, POSIX_FADV_DONTNEED);
        if (err != 0) {
            throw Sys.error("posix_fadvise(" + fd.number() + ", DONTNEED)", err);
        }
    }
}
