package dev.jnydus.sys;

import com.sun.jna.Native;
import dev.jnydus.common.Errno;
import dev.jnydus.common.FsException;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * fanotify for on-demand serving: {@code fanotify_init(2)}, {@code fanotify_mark(2)} and the
 * 8-byte {@code struct fanotify_response} written to the group. Events are read with
 * {@link Sys#read} and decoded by the caller. Constants are the uapi values of
 * {@code linux/fanotify.h} (Linux 6.14+ for the pre-content ones).
 */
public final class Fanotify {
    private Fanotify() {
    }

    // fanotify_init flags
    public static final int CLOEXEC = 0x00000001;
    public static final int NONBLOCK = 0x00000002;
    public static final int CLASS_PRE_CONTENT = 0x00000008;
    public static final int UNLIMITED_QUEUE = 0x00000010;
    public static final int UNLIMITED_MARKS = 0x00000020;
    /** Events carry the accessing thread's id instead of its process id. */
    public static final int REPORT_TID = 0x00000100;

    // fanotify_mark flags
    public static final int MARK_ADD = 0x00000001;
    public static final int MARK_REMOVE = 0x00000002;
    public static final int MARK_IGNORED_SURV_MODIFY = 0x00000040;
    public static final int MARK_IGNORE = 0x00000400;

    // event masks
    public static final long PRE_ACCESS = 0x00100000L;
    public static final long Q_OVERFLOW = 0x00004000L;

    // responses
    public static final int ALLOW = 0x01;
    public static final int DENY = 0x02;

    /** {@code FAN_DENY_ERRNO(errno)}: deny, reporting {@code errno} to a direct reader of the marked file. */
    public static int denyWithErrno(int errno) {
        return DENY | ((errno & 0xff) << 24);
    }

    private static final int AT_FDCWD = -100;
    private static final int RESPONSE_SIZE = 8;
    private static final ThreadLocal<ByteBuffer> RESPONSE =
            ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(RESPONSE_SIZE).order(ByteOrder.nativeOrder()));

    /**
     * Creates a notification group.
     *
     * @param flags {@code CLASS_PRE_CONTENT | ...}
     * @param eventFileFlags open(2) flags of the descriptors events carry ({@code O_RDWR} to write
     *     through them); O_LARGEFILE is implied on 64-bit kernels
     */
    public static Fd init(int flags, int eventFileFlags) throws FsException {
        KernelCalls.ensureAvailable();
        int fd = KernelCalls.fanotify_init(flags, eventFileFlags);
        if (fd < 0) {
            throw Sys.error("fanotify_init(0x" + Integer.toHexString(flags) + ")", Native.getLastError());
        }
        return new Fd(fd);
    }

    /** fanotify_mark(2) of an inode named by path (followed if a symlink). */
    public static void mark(Fd group, int flags, long mask, Path path) throws FsException {
        KernelCalls.ensureAvailable();
        byte[] p = Sys.cString(path.toString().getBytes(StandardCharsets.UTF_8));
        if (KernelCalls.fanotify_mark(group.get(), flags, mask, AT_FDCWD, p) != 0) {
            throw Sys.error("fanotify_mark(0x" + Integer.toHexString(flags) + ", 0x" + Long.toHexString(mask) + ", "
                    + path + ")", Native.getLastError());
        }
    }

    /**
     * Answers the permission event whose descriptor number is {@code eventFd}. Answer first, then
     * close the event's descriptor: the kernel finds the event by number.
     *
     * @param response {@link #ALLOW}, {@link #DENY} or {@link #denyWithErrno}
     */
    public static void respond(Fd group, int eventFd, int response) throws FsException {
        ByteBuffer b = RESPONSE.get();
        b.putInt(0, eventFd);
        b.putInt(4, response);
        b.clear();
        // Safe because: the kernel reads the 8 bytes of the thread's own response buffer.
        int n = Sys.write(group, b);
        Reference.reachabilityFence(b);
        if (n != RESPONSE_SIZE) {
            throw Sys.error("fanotify response for fd " + eventFd + ": wrote " + n + " bytes", Errno.EIO.number());
        }
    }
}
