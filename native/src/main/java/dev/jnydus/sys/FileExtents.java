package dev.jnydus.sys;

import com.sun.jna.Native;
import dev.jnydus.common.Errno;
import dev.jnydus.common.FsException;

/**
 * {@code lseek(2)} with {@code SEEK_DATA} and {@code SEEK_HOLE}: which parts of a sparse file hold
 * data. The fscache daemon rebuilds a blob's chunk readiness from them, since the kernel's cache
 * file can only be written through its anonymous fd, never read.
 */
public final class FileExtents {
    static final int SEEK_DATA = 3;
    static final int SEEK_HOLE = 4;

    private FileExtents() {
    }

    /** Direct mapping, registered once (see {@link LibC}). */
    private static final class Lib {
        static {
            Native.register(Lib.class, LibC.library());
        }

        static native long lseek(int fd, long offset, int whence);
    }

    /**
     * The start of the first data at or after {@code offset}, or {@code -1} when there is none up to
     * the end of the file (ENXIO).
     */
    public static long nextData(Fd fd, long offset) throws FsException {
        return seek(fd, offset, SEEK_DATA, "SEEK_DATA");
    }

    /**
     * The start of the first hole at or after {@code offset} (the end of the file counts as a hole),
     * or {@code -1} when {@code offset} is at or past the end (ENXIO).
     */
    public static long nextHole(Fd fd, long offset) throws FsException {
        return seek(fd, offset, SEEK_HOLE, "SEEK_HOLE");
    }

    private static long seek(Fd fd, long offset, int whence, String name) throws FsException {
        Sys.ensureAvailable();
        long r = Lib.lseek(fd.get(), offset, whence);
        if (r < 0) {
            int errno = Native.getLastError();
            if (errno == Errno.ENXIO.number()) {
                return -1;
            }
            throw Sys.error("lseek(" + fd.number() + ", " + offset + ", " + name + ")", errno);
        }
        return r;
    }
}
