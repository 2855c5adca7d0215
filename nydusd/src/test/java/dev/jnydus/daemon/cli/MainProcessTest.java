package dev.jnydus.daemon.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The real entry point in a child JVM: exit statuses and streams as a supervisor sees them. */
class MainProcessTest {
    private record Result(int status, String out, String err) {
    }

    private static Result nydusd(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(Main.class.getName());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().remove("IMAGE_PULL_AUTH");
        Process p = pb.start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("nydusd did not exit");
        }
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
    }

    @Test
    void versionUsageErrorAndStartupErrorExitCodes() throws Exception {
        Result v = nydusd("-V");
        assertThat(v.status()).isZero();
        assertThat(v.out()).startsWith("nydusd \rVersion: \t").contains("\nGit Commit: \t", "\nRustc: \t\tjava ");

        Result usage = nydusd("fuse", "--thread-num", "0", "-M", "/mnt");
        assertThat(usage.status()).isEqualTo(2);
        assertThat(usage.err()).startsWith("error: invalid value '0' for '--fuse-threads <fuse-threads>'");

        Result startup = nydusd("-M", "/mnt", "-B", "/image.boot");
        assertThat(startup.status()).isEqualTo(1);
        assertThat(startup.err()).contains("Error: both --config and --localfs-dir are missing\n");
        // The same failure is logged in upstream's format before the Error line.
        assertThat(startup.err()).containsPattern("\\] ERROR \\[NydusdCli\\.java:\\d+\\] both --config");
    }
}
