package dev.jnydus.sys;

import com.sun.jna.Native;
import dev.jnydus.common.FsException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The process's current working directory, as the kernel sees it. The JVM never changes it, so
 * only callers that need a kernel interface addressed relative to it use this: cachefiles'
 * {@code cull} and {@code inuse} commands name a file in the daemon's working directory. Changing it
 * affects every thread of the process; callers serialise their use.
 */
public final class WorkingDirectory {
    private WorkingDirectory() {
    }

    private static final class Lib {
        static {
            Native.register(Lib.class, LibC.library());
        }

        static native int chdir(byte[] path);

        static native int fchdir(int fd);
    }

    /** chdir(2). */
    public static void change(Path dir) throws FsException {
        Sys.ensureAvailable();
        if (Lib.chdir(Sys.cString(dir.toString().getBytes(StandardCharsets.UTF_8))) < 0) {
            throw Sys.error("chdir(" + dir + ")", Native.getLastError());
        }
    }

    /** fchdir(2): back to a directory held open, for example the one saved by {@link #open()}. */
    public static void change(Fd dir) throws FsException {
        Sys.ensureAvailable();
        if (Lib.fchdir(dir.get()) < 0) {
            throw Sys.error("fchdir(" + dir.number() + ")", Native.getLastError());
        }
    }

    /** Opens the current working directory, so that it can be restored with {@link #change(Fd)}. */
    public static Fd open() throws FsException {
        return Sys.open(Path.of("."), Sys.O_RDONLY | Sys.O_DIRECTORY);
    }
}
