package dev.jnydus.daemon.cli;

/**
 * The arithmetic of {@code --rlimit-nofile} (spec 1.2, upstream handle_rlimit_nofile_option),
 * kept free of system calls so the daemon only has to read {@code fs.file-max} and the current
 * soft limit and then apply the answer as both soft and hard limit.
 */
public final class RlimitPolicy {
    /** Descriptors left for the rest of the system. */
    static final long RESERVED = 16384;
    /** Never ask for more than this. */
    static final long MAX = 1_000_000;

    private RlimitPolicy() {
    }

    /**
     * The limit to set, or -1 to leave it unchanged ({@code requested == 0}).
     *
     * @param requested the option value
     * @param fileMax {@code /proc/sys/fs/file-max}
     * @param currentSoft the current soft RLIMIT_NOFILE
     * @throws StartupException when fs.file-max is below 32768, as upstream
     */
    public static long effective(long requested, long fileMax, long currentSoft) throws StartupException {
        if (requested == 0) {
            return -1;
        }
        if (Long.compareUnsigned(fileMax, 2 * RESERVED) < 0) {
            throw new StartupException(
                    "The fs.file-max sysctl is too low to allow a reasonable number of open files.");
        }
        long max = Math.min(fileMax - RESERVED, MAX);
        if (Long.compareUnsigned(currentSoft, max) >= 0) {
            max = currentSoft;
        }
        return Long.compareUnsigned(requested, max) <= 0 ? requested : max;
    }
}
