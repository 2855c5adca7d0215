package dev.jnydus.sys;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;

/**
 * The JNA binding to glibc, by direct mapping (static natives: the cheapest JNA call path, which
 * matters on the FUSE read path). Pointers are passed as {@code long} addresses so that callers can
 * point into the middle of a direct buffer; this is valid only on LP64, which {@link #load} checks.
 * Paths travel as NUL-terminated {@code byte[]} so that no charset guess is involved.
 *
 * <p>errno is read with {@link Native#getLastError()} in {@link Sys}, straight after each call;
 * JNA saves it per thread after every native call.
 */
final class LibC {
    private LibC() {
    }

    /** Registers the natives; throws (a {@link LinkageError} or an {@link IllegalStateException}) when it cannot. */
    static void load() {
        if (!Platform.isLinux()) {
            throw new IllegalStateException("not Linux: " + System.getProperty("os.name"));
        }
        if (!Platform.is64Bit() || Native.POINTER_SIZE != 8 || Native.LONG_SIZE != 8) {
            throw new IllegalStateException("not an LP64 ABI: " + System.getProperty("os.arch"));
        }
        Native.register(LibC.class, library());
    }

    /**
     * The C library. glibc's soname first: JNA resolves the bare name "c" by running
     * {@code ldconfig -p} in a child process, which costs tens of milliseconds at every start.
     */
    static NativeLibrary library() {
        try {
            return NativeLibrary.getInstance(GLIBC_SONAME);
        } catch (UnsatisfiedLinkError e) {
            return NativeLibrary.getInstance(Platform.C_LIBRARY_NAME);
        }
    }

    static final String GLIBC_SONAME = "libc.so.6";

    static native int open(byte[] path, int flags, int mode);

    static native int close(int fd);

    static native long read(int fd, long buf, long count);

    static native long write(int fd, long buf, long count);

    static native long writev(int fd, long iov, int iovcnt);

    static native long pread(int fd, long buf, long count, long offset);

    static native long pwrite(int fd, long buf, long count, long offset);

    static native long lseek(int fd, long offset, int whence);

    static native int ftruncate(int fd, long length);

    static native int fdatasync(int fd);

    static native int fsync(int fd);

    static native int flock(int fd, int operation);

    static native int ioctl(int fd, long request, long arg);

    static native int fcntl(int fd, int cmd, long arg);

    static native int mount(byte[] source, byte[] target, byte[] fstype, long flags, byte[] data);

    static native int umount2(byte[] target, int flags);

    static native int poll(long fds, long nfds, int timeout);

    static native int eventfd(int initval, int flags);

    static native int epoll_create1(int flags);

    static native int epoll_ctl(int epfd, int op, int fd, long event);

    static native int epoll_wait(int epfd, long events, int maxevents, int timeout);

    static native int pipe2(int[] fds, int flags);

    static native int socketpair(int domain, int type, int protocol, int[] sv);

    static native int socket(int domain, int type, int protocol);

    static native int connect(int fd, long addr, int addrlen);

    static native int bind(int fd, long addr, int addrlen);

    static native int listen(int fd, int backlog);

    static native int accept4(int fd, long addr, long addrlen, int flags);

    static native long sendmsg(int fd, long msg, int flags);

    static native long recvmsg(int fd, long msg, int flags);

    static native int getuid();

    static native int geteuid();

    static native int getgid();

    static native int getegid();

    static native int getrlimit(int resource, long[] rlim);

    static native int setrlimit(int resource, long[] rlim);

    static native int getpid();

    static native String strerror(int errnum);
}
