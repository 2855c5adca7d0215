package dev.jnydus.testkit;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Gate for tests that need root, {@code /dev/fuse}, loop devices or mounts. On a machine without
 * them the test is skipped with the reason; with {@code -Djnydus.requirePrivileged=true} (which
 * {@code .ci/run} sets) the skip becomes a failure, so CI can never pass by skipping.
 */
public final class Privileged {
    private Privileged() {
    }

    public static boolean required() {
        return Boolean.getBoolean("jnydus.requirePrivileged");
    }

    /** Requires a condition, skipping (or failing under CI) with {@code why} when it does not hold. */
    public static void require(boolean ok, String why) {
        if (ok) {
            return;
        }
        if (required()) {
            fail("privileged test cannot run: " + why);
        }
        assumeTrue(false, why);
    }

    public static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    public static void requireRoot() {
        require(isRoot(), "needs root");
    }

    public static void requireFuse() {
        requireRoot();
        require(Files.exists(Path.of("/dev/fuse")), "needs /dev/fuse");
    }

    /** Requires an executable on PATH (an apt package that .ci/run installs). */
    public static void requireTool(String tool) {
        require(onPath(tool), "needs " + tool + " on PATH");
    }

    public static boolean onPath(String tool) {
        String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
        for (String dir : path.split(":")) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        for (String dir : new String[] {"/usr/sbin", "/sbin"}) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }

    /** Runs a command, failing with its output when it exits non-zero. */
    public static String run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        int rc = p.waitFor();
        if (rc != 0) {
            throw new IOException(String.join(" ", cmd) + " exited " + rc + ": " + out);
        }
        return out;
    }
}
