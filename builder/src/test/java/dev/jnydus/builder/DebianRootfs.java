package dev.jnydus.builder;

import dev.jnydus.testkit.Privileged;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A Debian root filesystem for tests, cached outside the repository (default
 * {@code /var/cache/jnydus/rootfs}, or {@code -Djnydus.rootfs=DIR}). Built once with
 * {@code debootstrap --variant=minbase bookworm}; where debootstrap is missing or cannot reach
 * the Debian archive, a copy of {@code /usr/lib} is cached instead (at {@code <dir>-usr-lib}).
 */
final class DebianRootfs {
    private DebianRootfs() {
    }

    static Path get() throws IOException, InterruptedException {
        Path dir = Path.of(System.getProperty("jnydus.rootfs", "/var/cache/jnydus/rootfs"));
        if (Files.isDirectory(dir.resolve("usr/bin"))) {
            return dir;
        }
        Path fallback = Path.of(dir + "-usr-lib");
        if (Files.isDirectory(fallback)) {
            return fallback;
        }
        Privileged.requireRoot();
        Files.createDirectories(dir.getParent());
        Path tmp = Path.of(dir + ".tmp");
        run(20, "rm", "-rf", tmp.toString());
        if (Privileged.onPath("debootstrap")
                && run(25, "debootstrap", "--variant=minbase", "bookworm", tmp.toString(),
                        "http://deb.debian.org/debian") == 0) {
            Files.move(tmp, dir);
            return dir;
        }
        run(20, "rm", "-rf", tmp.toString());
        if (run(20, "cp", "-a", "/usr/lib", tmp.toString()) != 0) {
            throw new IOException("cannot build a test root filesystem: debootstrap failed and so did cp -a /usr/lib");
        }
        Files.move(tmp, fallback);
        return fallback;
    }

    private static int run(int minutes, String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(minutes, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            return -1;
        }
        return p.exitValue();
    }
}
