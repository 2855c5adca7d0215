package dev.jnydus.sys;

import com.sun.jna.Native;
import dev.jnydus.common.FsException;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Which file an open descriptor or a path refers to: the device and inode numbers, from
 * {@code statx(2)}, whose layout is the same on every architecture (unlike {@code struct stat}).
 * Neither lookup opens the file, so neither raises fanotify events.
 *
 * @param devMajor major number of the device holding the file
 * @param devMinor minor number
 * @param ino inode number
 */
public record FileId(int devMajor, int devMinor, long ino) {
    private static final int AT_FDCWD = -100;
    private static final int AT_EMPTY_PATH = 0x1000;
    private static final int STATX_INO = 0x100;
    private static final int STATX_SIZE = 256;
    // struct statx: stx_ino @32 (u64), stx_dev_major @136 (u32), stx_dev_minor @140 (u32).
    private static final int STX_INO = 32;
    private static final int STX_DEV_MAJOR = 136;
    private static final int STX_DEV_MINOR = 140;
    private static final byte[] EMPTY = {0};

    /** The file an open descriptor refers to. */
    public static FileId of(Fd fd) throws FsException {
        return ofRaw(fd.get());
    }

    /** The file a raw descriptor number refers to (an event's descriptor, say). */
    public static FileId ofRaw(int fd) throws FsException {
        return statx(fd, EMPTY, AT_EMPTY_PATH, "fd " + fd);
    }

    /** The file a path names, following symlinks. */
    public static FileId of(Path path) throws FsException {
        byte[] p = Sys.cString(path.toString().getBytes(StandardCharsets.UTF_8));
        return statx(AT_FDCWD, p, 0, path.toString());
    }

    private static FileId statx(int dirfd, byte[] path, int flags, String what) throws FsException {
        KernelCalls.ensureAvailable();
        ByteBuffer buf = ByteBuffer.allocateDirect(STATX_SIZE).order(ByteOrder.nativeOrder());
        // Safe because: the kernel writes at most sizeof(struct statx) = 256 bytes into buf.
        int r = KernelCalls.statx(dirfd, path, flags, STATX_INO, Sys.address(buf));
        int errno = Native.getLastError();
        Reference.reachabilityFence(buf);
        if (r != 0) {
            throw Sys.error("statx(" + what + ")", errno);
        }
        return new FileId(buf.getInt(STX_DEV_MAJOR), buf.getInt(STX_DEV_MINOR), buf.getLong(STX_INO));
    }
}
