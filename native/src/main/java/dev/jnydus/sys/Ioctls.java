package dev.jnydus.sys;

import dev.jnydus.common.FsException;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * ioctl(2) and the {@code _IO}/{@code _IOR}/{@code _IOW} request encodings (asm-generic), for
 * {@code /dev/fuse} and {@code /dev/cachefiles}.
 */
public final class Ioctls {
    private Ioctls() {
    }

    private static final int IOC_NONE = 0;
    private static final int IOC_WRITE = 1;
    private static final int IOC_READ = 2;

    private static long ioc(int dir, int type, int nr, int size) {
        return ((long) dir << 30) | ((long) size << 16) | ((long) type << 8) | nr;
    }

    /** {@code _IO(type, nr)}. */
    public static long io(int type, int nr) {
        return ioc(IOC_NONE, type, nr, 0);
    }

    /** {@code _IOR(type, nr, size)}: the kernel copies {@code size} bytes out to user memory (from the kernel's point of view, a read by the caller). */
    public static long ior(int type, int nr, int size) {
        return ioc(IOC_READ, type, nr, size);
    }

    /** {@code _IOW(type, nr, size)}. */
    public static long iow(int type, int nr, int size) {
        return ioc(IOC_WRITE, type, nr, size);
    }

    /** ioctl(2) with an integer argument passed by value. */
    public static int ioctl(Fd fd, long request, long arg) throws FsException {
        Sys.ensureAvailable();
        int r = LibC.ioctl(fd.get(), request, arg);
        if (r < 0) {
            throw Sys.lastError("ioctl(" + fd.number() + ", 0x" + Long.toHexString(request) + ")");
        }
        return r;
    }

    /** ioctl(2) whose argument points at {@code arg[position, limit)} (a direct buffer), in or out. */
    public static int ioctl(Fd fd, long request, ByteBuffer arg) throws FsException {
        Sys.ensureAvailable();
        if (!arg.isDirect()) {
            throw new IllegalArgumentException("ioctl argument must be a direct buffer");
        }
        // Safe because: the request's size field bounds what the kernel touches; callers size the
        // buffer for the request, as the C caller would size the struct.
        int r = LibC.ioctl(fd.get(), request, Sys.address(arg) + arg.position());
        Reference.reachabilityFence(arg);
        if (r < 0) {
            throw Sys.lastError("ioctl(" + fd.number() + ", 0x" + Long.toHexString(request) + ")");
        }
        return r;
    }

    /**
     * ioctl(2) whose argument is a pointer to one {@code uint32_t} holding {@code value}, as for
     * {@code FUSE_DEV_IOC_CLONE}.
     */
    public static int ioctlIntRef(Fd fd, long request, int value) throws FsException {
        ByteBuffer arg = ByteBuffer.allocateDirect(8).order(ByteOrder.nativeOrder());
        arg.putInt(0, value);
        return ioctl(fd, request, arg);
    }
}
