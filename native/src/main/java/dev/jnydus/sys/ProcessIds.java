package dev.jnydus.sys;

import dev.jnydus.common.FsException;

/**
 * The process's user, group and process ids.
 */
public final class ProcessIds {
    private ProcessIds() {
    }

    public static int getuid() throws FsException {
        Sys.ensureAvailable();
        return LibC.getuid();
    }

    public static int geteuid() throws FsException {
        Sys.ensureAvailable();
        return LibC.geteuid();
    }

    public static int getgid() throws FsException {
        Sys.ensureAvailable();
        return LibC.getgid();
    }

    public static int getpid() throws FsException {
        Sys.ensureAvailable();
        return LibC.getpid();
    }

    public static int getegid() throws FsException {
        Sys.ensureAvailable();
        return LibC.getegid();
    }
}
