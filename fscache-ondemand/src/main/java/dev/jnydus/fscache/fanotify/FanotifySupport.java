package dev.jnydus.fscache.fanotify;

import dev.jnydus.common.FsException;
import dev.jnydus.sys.Fanotify;
import dev.jnydus.sys.Fd;
import dev.jnydus.sys.Sys;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Whether this kernel, and the filesystem holding the cache, can serve EROFS through fanotify
 * pre-content events (spec section 1). Creating a pre-content group succeeds even on kernels that
 * cannot raise the event, so the probe marks a scratch file for {@code FAN_PRE_ACCESS}, the one
 * call that fails when something is missing, and reads its errno.
 */
public final class FanotifySupport {
    private FanotifySupport() {
    }

    /** The answer: available, or why not in one line. */
    public record Probe(boolean available, String reason) {
        static Probe yes() {
            return new Probe(true, "available");
        }

        static Probe no(String why) {
            return new Probe(false, why);
        }
    }

    /** Probes with a scratch file in {@code cacheDir} (created if missing), which it removes again. */
    public static Probe probe(Path cacheDir) {
        if (!Sys.isAvailable()) {
            return Probe.no("native access unavailable: " + Sys.unavailabilityCause());
        }
        try {
            if (!Files.readString(Path.of("/proc/filesystems"), StandardCharsets.US_ASCII).contains("\terofs\n")) {
                return Probe.no("the kernel has no EROFS filesystem (CONFIG_EROFS_FS)");
            }
        } catch (IOException e) {
            return Probe.no("cannot read /proc/filesystems: " + e.getMessage());
        }
        Path scratch = null;
        try {
            Files.createDirectories(cacheDir);
            scratch = Files.createTempFile(cacheDir, ".fanotify-probe-", "");
            try (Fd group = Fanotify.init(Fanotify.CLASS_PRE_CONTENT | Fanotify.CLOEXEC | Fanotify.NONBLOCK,
                    Sys.O_RDONLY | Sys.O_CLOEXEC)) {
                Fanotify.mark(group, Fanotify.MARK_ADD, Fanotify.PRE_ACCESS, scratch);
                Fanotify.mark(group, Fanotify.MARK_REMOVE, Fanotify.PRE_ACCESS, scratch);
            }
            return Probe.yes();
        } catch (FsException e) {
            return Probe.no(explain(e, cacheDir));
        } catch (IOException e) {
            return Probe.no("cannot create a probe file in " + cacheDir + ": " + e.getMessage());
        } finally {
            if (scratch != null) {
                try {
                    Files.deleteIfExists(scratch);
                } catch (IOException e) {
                    // a leftover empty dot-file is harmless
                }
            }
        }
    }

    private static String explain(FsException e, Path dir) {
        switch (e.errno()) {
            case EINVAL:
                return "the kernel has no fanotify pre-content events (FAN_PRE_ACCESS needs Linux 6.14+, "
                        + "CONFIG_FANOTIFY_ACCESS_PERMISSIONS)";
            case EOPNOTSUPP:
                return "the filesystem holding " + dir + " does not support pre-content events "
                        + "(use ext4, xfs or btrfs; tmpfs does not)";
            case EPERM:
                return "fanotify pre-content events need CAP_SYS_ADMIN";
            case ENOSYS:
                return "fanotify is not available: " + e.getMessage();
            default:
                return "fanotify probe failed: " + e.getMessage();
        }
    }
}
