package dev.jnydus.sys;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import dev.jnydus.common.Errno;
import dev.jnydus.common.FsException;

/**
 * Wakes a thread asleep in a blocking system call (a {@code read(2)} of /dev/fuse), which nothing
 * else in Java can do: a real-time signal whose handler does nothing, installed without
 * {@code SA_RESTART}, makes the call return EINTR in the thread it is sent to.
 *
 * <p>The signal is glibc's lowest free real-time signal plus {@link #OFFSET}: HotSpot handles only
 * standard signals, and glibc keeps the first real-time ones for itself. The handler must be
 * native code that is safe in a signal context; a JNA callback is neither (it would enter the JVM
 * from a signal). glibc's {@code getpid} serves: it reads no argument, makes one system call,
 * which is async-signal-safe, and returns.
 *
 * <p>A signal sent just before the thread enters the call is lost (the handler runs, the call then
 * sleeps): callers repeat {@link #wake} until the thread is done.
 */
public final class ThreadWake {
    static final int OFFSET = 4;
    // glibc's struct sigaction on x86-64: handler, a 1024-bit mask, int flags (+4 padding), restorer.
    private static final int SIGACTION_SIZE = 152;
    private static final int SA_FLAGS_OFFSET = 136;

    private static int signal;

    private ThreadWake() {
    }

    /** Installs the handler once; later calls return the signal number. */
    public static synchronized int install() throws FsException {
        if (signal != 0) {
            return signal;
        }
        KernelCalls.ensureAvailable();
        int sig = KernelCalls.__libc_current_sigrtmin() + OFFSET;
        Pointer handler = LibC.library().getFunction("getpid");
        try (Memory act = new Memory(SIGACTION_SIZE)) {
            act.clear();
            // safe because: act is SIGACTION_SIZE bytes; offsets are those of glibc's x86-64 struct.
            act.setLong(0, Pointer.nativeValue(handler));
            act.setInt(SA_FLAGS_OFFSET, 0); // no SA_RESTART: the interrupted call returns EINTR
            if (KernelCalls.sigaction(sig, Pointer.nativeValue(act), 0) != 0) {
                int errno = Native.getLastError();
                Errno e = Errno.of(errno);
                throw new FsException(e == null ? Errno.EIO : e, "sigaction(" + sig + "): errno " + errno);
            }
        }
        signal = sig;
        return sig;
    }

    /**
     * Interrupts thread {@code tid} of this process if it sleeps in a system call; a thread that has
     * exited is ignored. {@link #install} must have run.
     */
    public static void wake(int tid) throws FsException {
        int sig;
        synchronized (ThreadWake.class) {
            sig = signal;
        }
        if (sig == 0) {
            throw new IllegalStateException("ThreadWake.install() has not run");
        }
        if (KernelCalls.tgkill(ProcessIds.getpid(), tid, sig) != 0) {
            int errno = Native.getLastError();
            if (errno != Errno.ESRCH.number()) {
                Errno e = Errno.of(errno);
                throw new FsException(e == null ? Errno.EIO : e, "tgkill(" + tid + "): errno " + errno);
            }
        }
    }
}
