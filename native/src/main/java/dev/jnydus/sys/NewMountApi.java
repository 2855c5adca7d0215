package dev.jnydus.sys;

import com.sun.jna.Native;
import dev.jnydus.common.Errno;
import dev.jnydus.common.FsException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The new mount API ({@code fsopen}, {@code fsconfig}, {@code fsmount}, {@code move_mount}): a
 * filesystem configured one string parameter at a call, without mount(2)'s one-page limit on the
 * option string and without its comma-separated syntax. The kernel's own error text (the fs
 * context log, "erofs: ..." lines) goes into the exception message.
 */
public final class NewMountApi {
    private NewMountApi() {
    }

    // Syscall numbers: the same on x86_64 and aarch64 (the unified table since Linux 5.2).
    private static final long SYS_MOVE_MOUNT = 429;
    private static final long SYS_FSOPEN = 430;
    private static final long SYS_FSCONFIG = 431;
    private static final long SYS_FSMOUNT = 432;

    private static final int FSOPEN_CLOEXEC = 0x1;
    private static final int FSCONFIG_SET_STRING = 1;
    private static final int FSCONFIG_CMD_CREATE = 6;
    private static final int FSMOUNT_CLOEXEC = 0x1;
    private static final int MOVE_MOUNT_F_EMPTY_PATH = 0x4;
    private static final int AT_FDCWD = -100;

    public static final int MOUNT_ATTR_RDONLY = 0x1;
    public static final int MOUNT_ATTR_NOSUID = 0x2;
    public static final int MOUNT_ATTR_NODEV = 0x4;

    /** The longest value fsconfig(2) copies from user space, NUL included. */
    public static final int MAX_VALUE_BYTES = 256;

    /**
     * Creates a superblock of {@code fsType} with {@code params} (name and value, set in list
     * order: repeated names such as EROFS's {@code device} are allowed) and attaches it at
     * {@code target}.
     *
     * @param attrs {@code MOUNT_ATTR_*} flags of the new mount
     */
    public static void mount(String fsType, List<Map.Entry<String, String>> params, int attrs, Path target)
            throws FsException {
        KernelCalls.ensureAvailable();
        long fs = KernelCalls.syscall(SYS_FSOPEN, cString(fsType), FSOPEN_CLOEXEC);
        if (fs < 0) {
            throw Sys.error("fsopen(" + fsType + ")", Native.getLastError());
        }
        try (Fd fsFd = new Fd((int) fs)) {
            for (Map.Entry<String, String> p : params) {
                byte[] value = cString(p.getValue());
                if (value.length > MAX_VALUE_BYTES) {
                    throw new FsException(Errno.ENAMETOOLONG, "fsconfig " + p.getKey() + "=" + p.getValue()
                            + ": longer than " + (MAX_VALUE_BYTES - 1) + " bytes");
                }
                if (KernelCalls.syscall(SYS_FSCONFIG, fsFd.get(), FSCONFIG_SET_STRING, cString(p.getKey()), value, 0)
                        < 0) {
                    throw failure("fsconfig(" + p.getKey() + "=" + p.getValue() + ")", Native.getLastError(), fsFd);
                }
            }
            if (KernelCalls.syscall(SYS_FSCONFIG, fsFd.get(), FSCONFIG_CMD_CREATE, null, null, 0) < 0) {
                throw failure("fsconfig(create " + fsType + ")", Native.getLastError(), fsFd);
            }
            long mnt = KernelCalls.syscall(SYS_FSMOUNT, fsFd.get(), FSMOUNT_CLOEXEC, attrs);
            if (mnt < 0) {
                throw failure("fsmount(" + fsType + ")", Native.getLastError(), fsFd);
            }
            try (Fd mntFd = new Fd((int) mnt)) {
                if (KernelCalls.syscall(SYS_MOVE_MOUNT, mntFd.get(), cString(""), AT_FDCWD,
                        cString(target.toString()), MOVE_MOUNT_F_EMPTY_PATH) < 0) {
                    throw Sys.error("move_mount(" + target + ")", Native.getLastError());
                }
            }
        }
    }

    /** The errno, with whatever the filesystem logged into the context explaining it. */
    private static FsException failure(String call, int errno, Fd fsFd) {
        FsException e = Sys.error(call, errno);
        List<String> log = contextLog(fsFd);
        if (log.isEmpty()) {
            return e;
        }
        return new FsException(e.errno(), e.getMessage() + ": " + String.join("; ", log), e);
    }

    /** Messages queued on an fs context ("e erofs: ..."), read until none is left (EAGAIN/ENODATA). */
    private static List<String> contextLog(Fd fsFd) {
        List<String> out = new ArrayList<>();
        ByteBuffer buf = ByteBuffer.allocateDirect(1024);
        for (int i = 0; i < 16; i++) {
            buf.clear();
            int n;
            try {
                n = Sys.read(fsFd, buf);
            } catch (FsException e) {
                break;
            }
            if (n <= 0) {
                break;
            }
            byte[] b = new byte[n];
            buf.flip().get(b);
            out.add(new String(b, StandardCharsets.UTF_8).trim());
        }
        return out;
    }

    private static byte[] cString(String s) {
        return Sys.cString(s.getBytes(StandardCharsets.UTF_8));
    }
}
