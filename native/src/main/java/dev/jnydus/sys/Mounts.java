package dev.jnydus.sys;

import dev.jnydus.common.FsException;
import java.nio.file.Path;

/**
 * mount(2) and umount2(2) with their flags ({@code sys/mount.h}).
 */
public final class Mounts {
    private Mounts() {
    }

    public static final long MS_RDONLY = 1;
    public static final long MS_NOSUID = 2;
    public static final long MS_NODEV = 4;
    public static final long MS_NOEXEC = 8;
    public static final long MS_NOATIME = 1024;
    public static final long MS_NODIRATIME = 2048;
    public static final int MNT_FORCE = 1;
    public static final int MNT_DETACH = 2;

    /** mount(2). {@code data} may be null. */
    public static void mount(String source, Path target, String fsType, long flags, String data) throws FsException {
        Sys.ensureAvailable();
        int r = LibC.mount(Sys.cString(source), Sys.cString(target.toString()), Sys.cString(fsType), flags,
                data == null ? null : Sys.cString(data));
        if (r < 0) {
            throw Sys.lastError("mount(" + source + ", " + target + ", " + fsType + ")");
        }
    }

    /** umount2(2), e.g. with {@link #MNT_DETACH}. */
    public static void umount2(Path target, int flags) throws FsException {
        Sys.ensureAvailable();
        if (LibC.umount2(Sys.cString(target.toString()), flags) < 0) {
            throw Sys.lastError("umount2(" + target + ", " + flags + ")");
        }
    }
}
