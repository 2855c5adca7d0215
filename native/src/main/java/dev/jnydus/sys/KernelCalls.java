package dev.jnydus.sys;

import com.sun.jna.Function;
import com.sun.jna.Native;
import dev.jnydus.common.Errno;
import dev.jnydus.common.FsException;

/**
 * The JNA binding for the calls of the fanotify on-demand mode ({@link Fanotify}, {@link FileId},
 * {@link NewMountApi}, {@link Threads}, {@link PageCache}, {@link AnonymousMemory}), kept apart from {@link LibC} so that the FUSE binding does
 * not grow. Direct mapping as in {@code LibC}; the new mount API has no glibc wrappers and goes
 * through {@code syscall(2)} as a variadic JNA {@link Function}.
 */
final class KernelCalls {
    private KernelCalls() {
    }

    private static final class Holder {
        static final Throwable UNAVAILABILITY_CAUSE = load();
        static Function syscall;

        private static Throwable load() {
            Throwable cause = Sys.unavailabilityCause();
            if (cause != null) {
                return cause;
            }
            try {
                Native.register(KernelCalls.class, LibC.library());
                syscall = LibC.library().getFunction("syscall");
                return null;
            } catch (Throwable t) { // LinkageError: a glibc without fanotify_init, statx or gettid
                return t;
            }
        }
    }

    /** Throws {@code FsException(ENOSYS)} when the binding cannot load. */
    static void ensureAvailable() throws FsException {
        Throwable cause = Holder.UNAVAILABILITY_CAUSE;
        if (cause != null) {
            throw new FsException(Errno.ENOSYS, "native access unavailable: " + cause, cause);
        }
    }

    /** {@code syscall(number, args...)}; returns the raw result (-1 with errno set on failure). */
    static long syscall(long number, Object... args) throws FsException {
        ensureAvailable();
        Object[] all = new Object[args.length + 1];
        all[0] = number;
        for (int i = 0; i < args.length; i++) {
            // Every syscall argument is a register: widen ints so no garbage sits in the upper half.
            all[i + 1] = args[i] instanceof Integer n ? Long.valueOf(n) : args[i];
        }
        return Holder.syscall.invokeLong(all);
    }

    static native int fanotify_init(int flags, int eventFFlags);

    static native int fanotify_mark(int fanotifyFd, int flags, long mask, int dirfd, byte[] path);

    static native int statx(int dirfd, byte[] path, int flags, int mask, long buf);

    static native int gettid();

    /** glibc's {@code sigaction}: {@code act} and {@code oldact} are addresses of its struct (or 0). */
    static native int sigaction(int sig, long act, long oldact);

    static native int tgkill(int tgid, int tid, int sig);

    /** glibc's lowest real-time signal free for applications (it keeps the first ones for itself). */
    static native int __libc_current_sigrtmin();

    /** Returns the error number itself (0 on success), not -1 with errno. */
    static native int posix_fadvise(int fd, long offset, long len, int advice);

    /** Returns the address, or MAP_FAILED ((void *) -1) with errno set. */
    static native long mmap(long addr, long length, int prot, int flags, int fd, long offset);

    static native int munmap(long addr, long length);

    static native int madvise(long addr, long length, int advice);
}
