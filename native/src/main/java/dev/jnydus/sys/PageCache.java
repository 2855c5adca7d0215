package dev.jnydus.sys;

import dev.jnydus.common.FsException;
import java.nio.ByteBuffer;

/** Advice about a file's pages in the page cache ({@code posix_fadvise(2)}, {@code madvise(2)}). */
public final class PageCache {
    private static final int POSIX_FADV_DONTNEED = 4;
    private static final int MADV_DONTNEED = 4;
    private static final long PAGE = 4096;

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

    /**
     * Unmaps the resident pages of a read-only file mapping from this process
     * ({@code madvise(MADV_DONTNEED)}): they stay in the page cache, out of the process's resident
     * set, and the next access maps them again (a minor fault) with the same bytes. Only for a
     * {@code READ_ONLY} mapping of a file (on a private writable one it would drop changes).
     */
    public static void unmapResident(ByteBuffer fileMapping) throws FsException {
        if (!fileMapping.isDirect()) {
            throw new IllegalArgumentException("not a mapped buffer");
        }
        KernelCalls.ensureAvailable();
        long start = Sys.address(fileMapping);
        long aligned = start & -PAGE;
        long length = start + fileMapping.capacity() - aligned;
        if (KernelCalls.madvise(aligned, length, MADV_DONTNEED) != 0) {
            throw Sys.lastError("madvise(" + length + ", DONTNEED)");
        }
    }
}
