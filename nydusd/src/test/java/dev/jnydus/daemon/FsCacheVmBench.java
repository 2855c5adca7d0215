package dev.jnydus.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jnydus.builder.cli.NydusImageCli;
import dev.jnydus.testkit.Privileged;
import dev.jnydus.testkit.TestTrees;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The fscache benchmark of {@code docs/benchmarks.md} ({@code scripts/bench/fscache-vm}): builds
 * one tree as a RAFS v6 zstd image and as a plain EROFS image here, runs {@link FsCacheGuestBench}
 * in the guest and writes {@code target/fscache-bench/results.md}: medians, and ratios against the
 * peers of the same run. Not part of the test suite (enabled by {@code -Djnydus.bench.fscache=true}).
 */
@Tag("benchmark")
@EnabledIfSystemProperty(named = "jnydus.bench.fscache", matches = "true")
@Timeout(value = 90, unit = TimeUnit.MINUTES)
class FsCacheVmBench {
    @Test
    void fscacheAgainstFuseAndKernelErofs() throws Exception {
        Privileged.requireRoot();
        Privileged.requireTool("mkfs.erofs");
        int reps = Integer.getInteger("jnydus.bench.reps", 3);
        Path work = Path.of("target", "fscache-bench").toAbsolutePath();
        Privileged.run("rm", "-rf", work.toString());
        Files.createDirectories(work);
        // mkfs.erofs 1.5 fails on 255-byte names.
        Path src = TestTrees.generate(work.resolve("src"), TestTrees.Options.defaults()
                .withMaxFileSize(2L * TestTrees.MIB).withRandomFiles(12).withBigDirEntries(500).withMaxNameBytes(254));
        Path blobs = Files.createDirectories(work.resolve("blobs-bench"));
        StringWriter err = new StringWriter();
        int rc = NydusImageCli.run(new String[] {"create", "--fs-version", "6", "--compressor", "zstd",
            "--bootstrap", work.resolve("bench.boot").toString(), "--blob-dir", blobs.toString(), src.toString()},
                new PrintWriter(new StringWriter(), true), new PrintWriter(err, true));
        assertThat(rc).as("nydus-image create: %s", err).isZero();
        Privileged.run("mkfs.erofs", "--quiet", work.resolve("bench.erofs").toString(), src.toString());

        List<String> cmd = new ArrayList<>(List.of(NydusdFscacheVmTest.runInVm().toString(), "--share",
                work.toString(), "--timeout", "5000", "--timing", "--",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m", "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                FsCacheGuestBench.class.getName(), work.toString(), Integer.toString(reps)));
        Path log = work.resolve("guest.log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        p.getOutputStream().close();
        assertThat(p.waitFor(88, TimeUnit.MINUTES)).isTrue();
        String out = Files.readString(log, StandardCharsets.UTF_8);
        assertThat(out).contains("BENCH DONE");

        Map<String, List<Long>> runs = new TreeMap<>();
        for (String line : out.split("\n")) {
            String[] f = line.trim().split(" ");
            if (f.length == 5 && f[0].equals("BENCH")) {
                runs.computeIfAbsent(f[1] + " " + f[2], k -> new ArrayList<>()).add(Long.parseLong(f[4]));
            }
        }
        Map<String, Long> median = new TreeMap<>();
        runs.forEach((k, v) -> {
            List<Long> s = new ArrayList<>(v);
            s.sort(Long::compare);
            median.put(k, s.get(s.size() / 2));
        });
        long bytes = TestTrees.contentBytes(src);
        StringBuilder md = new StringBuilder();
        md.append(String.format("dataset: %d files, %.1f MiB; %d reps, medians (ms, guest clock)%n%n",
                FsCacheGuestScenario.md5s(src).size(), bytes / 1048576.0, reps));
        md.append("| read of every file | fscache | FUSE | EROFS loop | fscache / EROFS loop | fscache / FUSE |\n");
        md.append("|---|---:|---:|---:|---:|---:|\n");
        for (String kind : new String[] {"warm", "cold"}) {
            Long fs = median.get("fscache " + kind);
            Long fu = median.get("fuse " + kind);
            Long er = median.get("erofs-loop " + kind);
            md.append(String.format("| %s | %s | %s | %s | %s | %s |%n", kind, fs, fu, er == null ? "" : er,
                    er == null ? "" : String.format("%.2f", fs / (double) er), String.format("%.2f", fs / (double) fu)));
        }
        md.append("\nraw: ").append(runs).append('\n');
        Files.writeString(work.resolve("results.md"), md);
        System.out.println(md);
    }
}
