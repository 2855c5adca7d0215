package dev.jnydus.sys;

import dev.jnydus.common.FsException;

/**
 * getrlimit(2) and setrlimit(2).
 */
public final class ResourceLimits {
    private ResourceLimits() {
    }

    /** {@code RLIMIT_NOFILE}, the resource nydusd's --rlimit-nofile sets. */
    public static final int RLIMIT_NOFILE = 7;

    /** The soft and hard limit of {@code resource} (RLIM_INFINITY is -1). */
    public static long[] getrlimit(int resource) throws FsException {
        Sys.ensureAvailable();
        long[] rlim = new long[2];
        if (LibC.getrlimit(resource, rlim) != 0) {
            throw Sys.lastError("getrlimit(" + resource + ")");
        }
        return rlim;
    }

    /** Sets the soft and hard limit of {@code resource}; raising the hard limit needs CAP_SYS_RESOURCE. */
    public static void setrlimit(int resource, long soft, long hard) throws FsException {
        Sys.ensureAvailable();
        if (LibC.setrlimit(resource, new long[] {soft, hard}) != 0) {
            throw Sys.lastError("setrlimit(" + resource + ", " + soft + ", " + hard + ")");
        }
    }
}
