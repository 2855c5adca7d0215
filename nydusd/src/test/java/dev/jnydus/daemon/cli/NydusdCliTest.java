package dev.jnydus.daemon.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Exit statuses and the text on stdout/stderr for each way a run can end. */
class NydusdCliTest {
    private static final BuildInfo BUILD = new BuildInfo("v2.4.4-jnydus", "0123456789abcdef", "2026-01-02T03:04:05Z",
            "release", "java 17");

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final RecordingLogConfigurer logs = new RecordingLogConfigurer();
    private final List<StartupPlan> launched = new ArrayList<>();

    private NydusdCli cli(DaemonLauncher launcher) {
        return new NydusdCli(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), Map.of(), BUILD, logs, launcher);
    }

    private NydusdCli recordingCli() {
        return cli(launched::add);
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void versionPrintsUpstreamsBlockAndExitsZero() {
        assertThat(recordingCli().run("--version")).isZero();

        assertThat(out()).isEqualTo("nydusd \rVersion: \tv2.4.4-jnydus\nGit Commit: \t0123456789abcdef\n"
                + "Build Time: \t2026-01-02T03:04:05Z\nProfile: \trelease\nRustc: \t\tjava 17\n\n");
        // nydus-snapshotter's extraction.
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("Git Commit:\\s*(.+)").matcher(out());
        assertThat(m.find()).isTrue();
        assertThat(m.group(1).trim()).isEqualTo("0123456789abcdef");
        assertThat(err()).isEmpty();
        assertThat(launched).isEmpty();
        assertThat(logs.calls).isEmpty();
    }

    @Test
    void helpExitsZero() {
        assertThat(recordingCli().run("fuse", "--help")).isZero();
        assertThat(out()).contains("--mountpoint", "--thread-num");
        assertThat(launched).isEmpty();
    }

    @Test
    void usageErrorsExitTwoLikeClap() {
        assertThat(recordingCli().run("--id", "x", "-M", "/m")).isEqualTo(2);

        assertThat(err()).isEqualTo("error: the following required arguments were not provided: "
                + "--supervisor <supervisor>\n\nFor more information, try '--help'.\n");
        assertThat(out()).isEmpty();
        assertThat(launched).isEmpty();
    }

    @Test
    void startupFailuresPrintOneErrorLineAndExitOne() {
        assertThat(recordingCli().run("-M", "/m", "-B", "/boot")).isEqualTo(1);

        assertThat(err()).isEqualTo("Error: both --config and --localfs-dir are missing\n");
        assertThat(launched).isEmpty();
        // Logging is set up before resolution, as upstream does.
        assertThat(logs.calls).hasSize(1);
    }

    @Test
    void badNumbersAreStartupFailures() {
        assertThat(recordingCli().run("-M", "/m", "--rlimit-nofile", "lots")).isEqualTo(1);
        assertThat(err()).isEqualTo("Error: invalid value for option `rlimit-nofile`\n");
    }

    @Test
    void aSuccessfulRunHandsThePlanToTheLauncher() {
        int status = recordingCli().run("fuse", "-M", "/mnt", "-B", "/boot", "-D", "/blobs", "-l", "debug",
                "-L", "/tmp/nydusd", "--log-rotation-size", "5");

        assertThat(status).isZero();
        assertThat(err()).isEmpty();
        assertThat(launched).singleElement().satisfies(plan -> {
            assertThat(plan.args().subcommand()).isEqualTo("fuse");
            assertThat(plan.startupMount().orElseThrow().bootstrap()).isEqualTo("/boot");
        });
        assertThat(logs.calls).containsExactly(List.of(LogLevel.DEBUG, Optional.of("/tmp/nydusd"), 5L));
    }

    @Test
    void launcherFailuresBecomeErrorLines() {
        int status = cli(plan -> {
            throw new IllegalStateException("mount failed:\nEPERM");
        }).run("-M", "/mnt");

        assertThat(status).isEqualTo(1);
        assertThat(err()).isEqualTo("Error: mount failed: EPERM\n");
    }

    @Test
    void runningOutOfMemoryWhileStartingIsOneErrorLineToo() {
        int status = cli(plan -> {
            throw new OutOfMemoryError("Java heap space");
        }).run("-M", "/mnt");

        assertThat(status).isEqualTo(1);
        assertThat(err()).matches("Error: out of memory \\(Java heap space; heap limit \\d+ MiB\\)\n");
    }

    @Test
    void aStackOverflowWhileStartingIsOneErrorLineToo() {
        int status = cli(plan -> {
            throw new StackOverflowError();
        }).run("-M", "/mnt");

        assertThat(status).isEqualTo(1);
        assertThat(err()).isEqualTo("Error: stack overflow\n");
    }

    @Test
    void loggingFailuresAreStartupFailures() {
        NydusdCli cli = new NydusdCli(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), Map.of(), BUILD,
                (level, file, size) -> {
                    throw new StartupException("invalid file name input \"..\"");
                }, launched::add);

        assertThat(cli.run("-M", "/mnt", "-L", "..")).isEqualTo(1);
        assertThat(err()).isEqualTo("Error: invalid file name input \"..\"\n");
        assertThat(launched).isEmpty();
    }

    /** Records each configure call as [level, file, rotation]. */
    static final class RecordingLogConfigurer implements LogConfigurer {
        final List<List<Object>> calls = new ArrayList<>();

        @Override
        public void configure(LogLevel level, Optional<String> logFile, long rotationSizeMib) {
            calls.add(List.of(level, logFile, rotationSizeMib));
        }
    }
}
