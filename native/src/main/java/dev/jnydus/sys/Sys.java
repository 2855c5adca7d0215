package dev.jnydus.sys;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import dev.jnydus.common.Errno;
import dev.jnydus.common.FsException;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Typed wrappers over the syscalls jnydus needs. Each wrapper checks the return value straight after
 * the call and turns {@code -1} plus errno into an {@link FsException} that keeps the errno (numbers
 * outside {@link Errno} become EIO; the message keeps the raw number). No JNA type or exception
 * crosses this class's API. Nothing here retries on EINTR: callers that loop decide.
 *
 * <p>Buffers: wrappers take {@link ByteBuffer}s and work on {@code [position, limit)}, advancing
 * the position by the bytes transferred, as NIO channels do. Direct buffers are used in place; heap
 * buffers are copied through a temporary direct buffer (fine for tests and control paths, wasteful
 * on data paths).
 */
public final class Sys {
    private Sys() {
    }

    // fcntl.h (asm-generic, as on x86_64 and aarch64)
    public static final int O_RDONLY = 0;
    public static final int O_WRONLY = 01;
    public static final int O_RDWR = 02;
    public static final int O_CREAT = 0100;
    public static final int O_EXCL = 0200;
    public static final int O_TRUNC = 01000;
    public static final int O_APPEND = 02000;
    public static final int O_NONBLOCK = 04000;
    public static final int O_DIRECTORY = 0200000;
    public static final int O_CLOEXEC = 02000000;

    static final int F_GETFD = 1;
    static final int F_GETFL = 3;
    static final int F_SETFL = 4;
    static final int F_DUPFD_CLOEXEC = 1030;

    // poll.h
    public static final short POLLIN = 0x1;
    public static final short POLLPRI = 0x2;
    public static final short POLLOUT = 0x4;
    public static final short POLLERR = 0x8;
    public static final short POLLHUP = 0x10;
    public static final short POLLNVAL = 0x20;

    // sys/eventfd.h
    public static final int EFD_SEMAPHORE = 1;
    public static final int EFD_NONBLOCK = 04000;
    public static final int EFD_CLOEXEC = 02000000;

    /** The largest {@code iovec} count Linux accepts in one call (UIO_MAXIOV). */
    public static final int IOV_MAX = 1024;

    // ---------------------------------------------------------------- availability

    /** Loads the binding once; the holder idiom keeps a failure from being retried or thrown twice. */
    private static final class Holder {
        static final Throwable UNAVAILABILITY_CAUSE = probe();

        private static Throwable probe() {
            try {
                LibC.load();
                LibC.getpid();
                return null;
            } catch (Throwable t) { // LinkageError, IllegalStateException from the ABI check, ...
                return t;
            }
        }
    }

    /** Whether the native binding loaded on this machine. */
    public static boolean isAvailable() {
        return Holder.UNAVAILABILITY_CAUSE == null;
    }

    /** Why the binding could not load, or {@code null} when it is available. */
    public static Throwable unavailabilityCause() {
        return Holder.UNAVAILABILITY_CAUSE;
    }

    /** Throws {@code FsException(ENOSYS)} carrying the cause when the binding is unavailable. */
    public static void ensureAvailable() throws FsException {
        Throwable cause = Holder.UNAVAILABILITY_CAUSE;
        if (cause != null) {
            throw new FsException(Errno.ENOSYS, "native access unavailable: " + cause, cause);
        }
    }

    // ---------------------------------------------------------------- errors

    /** The one errno-to-exception translation of this package: keeps the raw number in the message. */
    static FsException error(String call, int errno) {
        Errno e = Errno.of(errno);
        String text = e != null ? e.description() : "errno " + errno;
        return new FsException(e == null ? Errno.EIO : e, call + ": " + text + " (errno " + errno + ")");
    }

    static FsException lastError(String call) {
        return error(call, Native.getLastError());
    }

    /** glibc's text for an errno number. */
    public static String strerror(int errno) throws FsException {
        ensureAvailable();
        return LibC.strerror(errno);
    }

    // ---------------------------------------------------------------- files

    public static Fd open(Path path, int flags) throws FsException {
        return open(path, flags, 0);
    }

    /** open(2); {@code O_CLOEXEC} is always added: nothing we open is meant for a child process. */
    public static Fd open(Path path, int flags, int mode) throws FsException {
        ensureAvailable();
        int fd = LibC.open(cString(path.toString()), flags | O_CLOEXEC, mode);
        if (fd < 0) {
            throw lastError("open(" + path + ")");
        }
        return new Fd(fd);
    }

    /** Closes a raw number, ignoring errors (see {@link Fd#close()}). */
    static void closeQuietly(int fd) {
        if (isAvailable()) {
            LibC.close(fd);
        }
    }

    /** A duplicate with {@code FD_CLOEXEC} set, for handing a descriptor over while keeping ours. */
    public static Fd dup(Fd fd) throws FsException {
        ensureAvailable();
        int r = LibC.fcntl(fd.get(), F_DUPFD_CLOEXEC, 0);
        if (r < 0) {
            throw lastError("fcntl(" + fd.number() + ", F_DUPFD_CLOEXEC)");
        }
        return new Fd(r);
    }

    /** Sets or clears {@code O_NONBLOCK}. */
    public static void setNonBlocking(Fd fd, boolean nonBlocking) throws FsException {
        int flags = statusFlags(fd);
        int want = nonBlocking ? flags | O_NONBLOCK : flags & ~O_NONBLOCK;
        if (want != flags && LibC.fcntl(fd.get(), F_SETFL, want) < 0) {
            throw lastError("fcntl(" + fd.number() + ", F_SETFL)");
        }
    }

    /** The open(2) status flags (F_GETFL). */
    public static int statusFlags(Fd fd) throws FsException {
        ensureAvailable();
        int flags = LibC.fcntl(fd.get(), F_GETFL, 0);
        if (flags < 0) {
            throw lastError("fcntl(" + fd.number() + ", F_GETFL)");
        }
        return flags;
    }

    /** Whether a raw descriptor number is open in this process (fcntl F_GETFD succeeds). */
    public static boolean isOpen(int fd) throws FsException {
        ensureAvailable();
        return LibC.fcntl(fd, F_GETFD, 0) >= 0;
    }

    // ---------------------------------------------------------------- read / write

    /** read(2) into {@code dst[position, limit)}; returns the byte count (0 at end of file). */
    public static int read(Fd fd, ByteBuffer dst) throws FsException {
        ensureAvailable();
        if (!dst.isDirect()) {
            ByteBuffer tmp = ByteBuffer.allocateDirect(dst.remaining());
            int n = read(fd, tmp);
            dst.put(tmp.flip());
            return n;
        }
        int pos = dst.position();
        // Safe because: the kernel writes at most remaining() bytes from address+position, which is
        // inside the buffer, and the fence keeps the buffer alive until the call returned.
        long n = LibC.read(fd.get(), address(dst) + pos, dst.remaining());
        Reference.reachabilityFence(dst);
        if (n < 0) {
            throw lastError("read(" + fd.number() + ")");
        }
        dst.position(pos + (int) n);
        return (int) n;
    }

    /**
     * read(2) into {@code dst[position, limit)} of a direct buffer, for a loop that expects some
     * errors as a matter of course (EAGAIN on a non-blocking descriptor): returns the byte count, or
     * the negated errno, without building an exception (with its stack trace) for it.
     */
    public static int readOrErrno(Fd fd, ByteBuffer dst) throws FsException {
        ensureAvailable();
        if (!dst.isDirect()) {
            throw new IllegalArgumentException("readOrErrno needs a direct buffer");
        }
        int pos = dst.position();
        // Safe because: as in read.
        long n = LibC.read(fd.get(), address(dst) + pos, dst.remaining());
        Reference.reachabilityFence(dst);
        if (n < 0) {
            int errno = Native.getLastError();
            return errno > 0 ? -errno : -Errno.EIO.number();
        }
        dst.position(pos + (int) n);
        return (int) n;
    }

    /** write(2) of {@code src[position, limit)}; returns the byte count written. */
    public static int write(Fd fd, ByteBuffer src) throws FsException {
        ensureAvailable();
        if (!src.isDirect()) {
            ByteBuffer tmp = direct(src.duplicate());
            int n = write(fd, tmp);
            src.position(src.position() + n);
            return n;
        }
        int pos = src.position();
        // Safe because: the kernel reads at most remaining() bytes inside the buffer.
        long n = LibC.write(fd.get(), address(src) + pos, src.remaining());
        Reference.reachabilityFence(src);
        if (n < 0) {
            throw lastError("write(" + fd.number() + ")");
        }
        src.position(pos + (int) n);
        return (int) n;
    }

    /** pread(2) into {@code dst[position, limit)} at a file offset. */
    public static int pread(Fd fd, ByteBuffer dst, long offset) throws FsException {
        ensureAvailable();
        if (!dst.isDirect()) {
            ByteBuffer tmp = ByteBuffer.allocateDirect(dst.remaining());
            int n = pread(fd, tmp, offset);
            dst.put(tmp.flip());
            return n;
        }
        int pos = dst.position();
        // Safe because: as in read.
        long n = LibC.pread(fd.get(), address(dst) + pos, dst.remaining(), offset);
        Reference.reachabilityFence(dst);
        if (n < 0) {
            throw lastError("pread(" + fd.number() + ", " + offset + ")");
        }
        dst.position(pos + (int) n);
        return (int) n;
    }

    /** pwrite(2) of {@code src[position, limit)} at a file offset. */
    public static int pwrite(Fd fd, ByteBuffer src, long offset) throws FsException {
        ensureAvailable();
        if (!src.isDirect()) {
            ByteBuffer tmp = direct(src.duplicate());
            int n = pwrite(fd, tmp, offset);
            src.position(src.position() + n);
            return n;
        }
        int pos = src.position();
        // Safe because: as in write.
        long n = LibC.pwrite(fd.get(), address(src) + pos, src.remaining(), offset);
        Reference.reachabilityFence(src);
        if (n < 0) {
            throw lastError("pwrite(" + fd.number() + ", " + offset + ")");
        }
        src.position(pos + (int) n);
        return (int) n;
    }

    /** A per-thread {@code struct iovec[]} scratch area, so a gathering write allocates nothing. */
    private static final ThreadLocal<ByteBuffer> IOVECS =
            ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(16 * 64).order(ByteOrder.nativeOrder()));

    public static long writev(Fd fd, ByteBuffer... srcs) throws FsException {
        return writev(fd, srcs, 0, srcs.length);
    }

    /**
     * writev(2) of {@code srcs[offset .. offset+length)}, each from position to limit, as one
     * operation (for /dev/fuse: one message). Positions advance by what was written, buffer by
     * buffer. Heap buffers are copied to direct ones first.
     */
    public static long writev(Fd fd, ByteBuffer[] srcs, int offset, int length) throws FsException {
        ensureAvailable();
        if (length < 0 || length > IOV_MAX || offset < 0 || offset + length > srcs.length) {
            throw new IllegalArgumentException("bad iovec range " + offset + "+" + length + " of " + srcs.length);
        }
        ByteBuffer[] direct = srcs;
        boolean copied = false;
        for (int i = offset; i < offset + length; i++) {
            if (!srcs[i].isDirect()) {
                if (!copied) {
                    direct = srcs.clone();
                    copied = true;
                }
                direct[i] = direct(srcs[i].duplicate());
            }
        }
        ByteBuffer iov = IOVECS.get();
        if (iov.capacity() < 16 * length) {
            iov = ByteBuffer.allocateDirect(16 * length).order(ByteOrder.nativeOrder());
            IOVECS.set(iov);
        }
        for (int i = 0; i < length; i++) {
            ByteBuffer b = direct[offset + i];
            iov.putLong(16 * i, address(b) + b.position());
            iov.putLong(16 * i + 8, b.remaining());
        }
        // Safe because: each iovec points at [position, limit) of a live direct buffer; the fence
        // keeps all of them (and the iovec area) reachable until the call returned.
        long n = LibC.writev(fd.get(), address(iov), length);
        Reference.reachabilityFence(direct);
        Reference.reachabilityFence(iov);
        if (n < 0) {
            throw lastError("writev(" + fd.number() + ", " + length + " buffers)");
        }
        long left = n;
        for (int i = offset; i < offset + length && left > 0; i++) {
            int step = (int) Math.min(left, srcs[i].remaining());
            srcs[i].position(srcs[i].position() + step);
            left -= step;
        }
        return n;
    }

    // ---------------------------------------------------------------- poll / eventfd / pipes

    /** poll(2) over a prepared {@link PollSet}; returns the number of ready descriptors (0 on timeout). */
    static int poll(ByteBuffer pollfds, int count, int timeoutMillis) throws FsException {
        ensureAvailable();
        // Safe because: pollfds holds count 8-byte struct pollfd entries (PollSet sizes it).
        int r = LibC.poll(address(pollfds), count, timeoutMillis);
        Reference.reachabilityFence(pollfds);
        if (r < 0) {
            throw lastError("poll(" + count + " fds)");
        }
        return r;
    }

    /** eventfd(2); {@code EFD_CLOEXEC} is always added. */
    public static Fd eventfd(int initialValue, int flags) throws FsException {
        ensureAvailable();
        int fd = LibC.eventfd(initialValue, flags | EFD_CLOEXEC);
        if (fd < 0) {
            throw lastError("eventfd");
        }
        return new Fd(fd);
    }

    /** Adds to an eventfd counter (an 8-byte write). */
    public static void eventfdWrite(Fd fd, long value) throws FsException {
        ByteBuffer b = ByteBuffer.allocateDirect(8).order(ByteOrder.nativeOrder());
        b.putLong(0, value);
        int n = write(fd, b);
        if (n != 8) {
            throw new FsException(Errno.EIO, "short eventfd write: " + n);
        }
    }

    /** Reads and resets an eventfd counter (an 8-byte read); blocks unless non-blocking. */
    public static long eventfdRead(Fd fd) throws FsException {
        ByteBuffer b = ByteBuffer.allocateDirect(8).order(ByteOrder.nativeOrder());
        int n = read(fd, b);
        if (n != 8) {
            throw new FsException(Errno.EIO, "short eventfd read: " + n);
        }
        return b.getLong(0);
    }

    /** pipe2(2): {@code [read end, write end]}; {@code O_CLOEXEC} is always added. */
    public static Fd[] pipe(int flags) throws FsException {
        ensureAvailable();
        int[] fds = new int[2];
        if (LibC.pipe2(fds, flags | O_CLOEXEC) < 0) {
            throw lastError("pipe2");
        }
        return new Fd[] {new Fd(fds[0]), new Fd(fds[1])};
    }

    // ---------------------------------------------------------------- helpers

    static long address(ByteBuffer direct) {
        return Pointer.nativeValue(Native.getDirectBufferPointer(direct));
    }

    static ByteBuffer direct(ByteBuffer heap) {
        ByteBuffer d = ByteBuffer.allocateDirect(heap.remaining());
        d.put(heap).flip();
        return d;
    }

    static byte[] cString(String s) {
        return cString(s.getBytes(StandardCharsets.UTF_8));
    }

    /** The bytes with a NUL terminator appended; a NUL inside them is a caller's bug. */
    static byte[] cString(byte[] b) {
        for (byte x : b) {
            if (x == 0) {
                throw new IllegalArgumentException("NUL inside a C string: " + new String(b, StandardCharsets.UTF_8));
            }
        }
        return Arrays.copyOf(b, b.length + 1);
    }
}
