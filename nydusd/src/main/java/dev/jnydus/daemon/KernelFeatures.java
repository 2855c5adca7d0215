package dev.jnydus.daemon;

import dev.jnydus.common.FsException;
import dev.jnydus.config.CacheConfig;
import dev.jnydus.daemon.cli.FsDriver;
import dev.jnydus.daemon.cli.RafsMount;
import dev.jnydus.daemon.cli.StartupException;
import dev.jnydus.fscache.fanotify.FanotifySupport;
import dev.jnydus.sys.Fd;
import dev.jnydus.sys.Sys;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Which ways of serving an image this kernel offers, probed once at start: FUSE ({@code /dev/fuse}
 * opens), fscache on demand ({@code /dev/cachefiles} and EROFS are there; whether the on-demand
 * mode is compiled in only shows when a daemon binds the device) and fanotify (a pre-content mark
 * on a file where the cache lives, see {@link FanotifySupport}).
 */
public record KernelFeatures(Feature fusedev, Feature fscache, Feature fanotify) {

    /** One mode: available, or why not. */
    public record Feature(boolean available, String reason) {
        static Feature yes() {
            return new Feature(true, "available");
        }

        static Feature no(String why) {
            return new Feature(false, why);
        }

        String describe() {
            return available ? "yes" : "no (" + reason + ")";
        }
    }

    /** Probes all three; the fanotify probe uses {@code cacheDir}, where the data files will be. */
    public static KernelFeatures probe(Path cacheDir) {
        FanotifySupport.Probe f = FanotifySupport.probe(cacheDir);
        return new KernelFeatures(probeFuse(Path.of("/dev/fuse")), probeFscache(Path.of("/dev/cachefiles")),
                f.available() ? Feature.yes() : Feature.no(f.reason()));
    }

    /**
     * Where the fanotify probe looks: the blob cache's work_dir of the startup image, else the
     * temporary directory (then the answer speaks for that filesystem).
     */
    public static Path probeDir(Optional<RafsMount> mount) {
        Optional<String> dir = mount.flatMap(m -> m.config().cache()).flatMap(CacheConfig::workDir);
        return Path.of(dir.orElse(System.getProperty("java.io.tmpdir")));
    }

    /** One log line: {@code kernel features: fusedev yes, fscache no (...), fanotify yes}. */
    public String summary() {
        return "kernel features: fusedev " + fusedev.describe() + ", fscache " + fscache.describe() + ", fanotify "
                + fanotify.describe();
    }

    public Feature of(FsDriver driver) {
        return driver == FsDriver.FANOTIFY ? fanotify : fusedev;
    }

    /** Fails the start with one line when the driver asked for is unavailable. */
    public void require(FsDriver driver) throws StartupException {
        require(driver, of(driver));
    }

    /**
     * As {@code probe(...).require(FsDriver.FUSEDEV)}, probing FUSE alone: a FUSE daemon does not
     * wait for the other probes before it mounts.
     */
    public static void requireFusedev() throws StartupException {
        require(FsDriver.FUSEDEV, probeFuse(Path.of("/dev/fuse")));
    }

    private static void require(FsDriver driver, Feature f) throws StartupException {
        if (!f.available()) {
            throw new StartupException("fs driver " + driver.cliName() + " is not available on this kernel: "
                    + f.reason());
        }
    }

    static Feature probeFuse(Path dev) {
        if (!Files.exists(dev)) {
            return Feature.no(dev + " is missing (CONFIG_FUSE_FS)");
        }
        try (Fd fd = Sys.open(dev, Sys.O_RDWR)) {
            return Feature.yes();
        } catch (FsException e) {
            return Feature.no("cannot open " + dev + ": " + e.getMessage());
        }
    }

    static Feature probeFscache(Path dev) {
        if (!Files.exists(dev)) {
            return Feature.no(dev + " is missing (CONFIG_CACHEFILES_ONDEMAND; removed from Linux 7.2)");
        }
        try {
            if (!Files.readString(Path.of("/proc/filesystems"), StandardCharsets.US_ASCII).contains("\terofs\n")) {
                return Feature.no("the kernel has no EROFS filesystem");
            }
        } catch (IOException e) {
            return Feature.no("cannot read /proc/filesystems: " + e.getMessage());
        }
        return Feature.yes();
    }
}
