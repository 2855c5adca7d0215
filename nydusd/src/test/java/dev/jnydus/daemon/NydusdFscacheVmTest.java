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
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * fscache mode against a kernel that has it: this machine's kernel has no cachefiles, so the images
 * are built here ({@code nydus-image create}, RAFS v6, zstd) and {@link FsCacheGuestScenario} runs
 * inside {@code shared/vm/run-in-vm} with this JVM's class path (the guest sees the host's files).
 * Emulated CPUs make Java 15-30 times slower there, so the images are small and everything that
 * does not need the guest's kernel happens here.
 */
@Tag("privileged")
@Timeout(value = 30, unit = TimeUnit.MINUTES)
class NydusdFscacheVmTest {
    /** The harness, found next to the fixtures ({@code ../shared/vm}). */
    static Path runInVm() {
        return dev.jnydus.testkit.Fixtures.root().resolveSibling("vm").resolve("run-in-vm");
    }

    /**
     * For every JVM in the guest: no AVX (QEMU 7.2's TCG is the first with AVX emulation; SSE code
     * is what the JVM falls back to on CPUs without it).
     */
    private static final String GUEST_JVM_OPTIONS = "-XX:UseAVX=0";

    /**
     * One guest CPU. With two, QEMU's multi-threaded TCG runs a JVM's threads on two emulated CPUs
     * at once, and a thread entering a method while the JIT patches that method's entry (made not
     * entrant: a 5-byte jump written over the first instruction, safe on real x86) now and then
     * executes a torn translation: SIGSEGV at the verified entry point of C1 code, the jump
     * already complete in memory. Counted in the guest with {@code nydusd --help} started 40 times:
     * 3 crashes with two CPUs ({@code ZipFile$Source.nextEntryPos}, {@code
     * BufferedInputStream.getBufIfOpen}, {@code AbstractStringBuilder.getCoder}, each at entry
     * +0x20), none with one; CI lost three full runs to it. One CPU makes the scenario slower: 180-230 s
     * in four full runs instead of 134-146 s.
     */
    private static final String GUEST_CPUS = "1";

    @Test
    void fscacheServesRegistryImagesToTheKernelAndSurvivesADaemonKill() throws Exception {
        Privileged.requireRoot();
        Privileged.require(Files.isExecutable(runInVm()), "no " + runInVm() + " to boot a kernel with fscache");
        Path work = Path.of("target", "fscache-vm").toAbsolutePath();
        Privileged.run("rm", "-rf", work.toString());
        Files.createDirectories(work);
        TestTrees.Options base = TestTrees.Options.defaults().withMaxFileSize(TestTrees.MIB).withBigDirEntries(50);
        build(TestTrees.generate(work.resolve("src-a"), base.withRandomFiles(4)), work, "a");
        build(TestTrees.generate(work.resolve("src-c"), base.withSeed(7).withRandomFiles(2).withBigDirEntries(10)),
                work, "c");

        List<String> cmd = new ArrayList<>(List.of(runInVm().toString(), "--cpus", GUEST_CPUS, "--share", work.toString(),
                "--timeout", "1500", "--timing", "--",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", GUEST_JVM_OPTIONS,
                "-D" + NydusdProcess.EXTRA_JVM_OPTIONS + "=" + GUEST_JVM_OPTIONS,
                "-cp", System.getProperty("java.class.path"),
                FsCacheGuestScenario.class.getName(), work.toString()));
        Path log = work.resolve("guest.log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        p.getOutputStream().close();
        boolean exited = p.waitFor(28, TimeUnit.MINUTES);
        if (!exited) {
            p.destroyForcibly();
        }
        String out = Files.readString(log, StandardCharsets.UTF_8);
        System.out.println(out);
        assertThat(exited).as("run-in-vm finished").isTrue();
        assertThat(out).as("guest output").contains("FSCACHE-VM PASSED");
        assertThat(p.exitValue()).as("run-in-vm exit status").isZero();
    }

    /** {@code nydus-image create --fs-version 6 --compressor zstd} of {@code src}. */
    private static void build(Path src, Path work, String name) throws Exception {
        Path blobs = Files.createDirectories(work.resolve("blobs-" + name));
        StringWriter err = new StringWriter();
        int rc = NydusImageCli.run(new String[] {"create", "--fs-version", "6", "--compressor", "zstd",
            "--digester", "blake3", "--bootstrap", work.resolve(name + ".boot").toString(), "--blob-dir",
            blobs.toString(), src.toString()}, new PrintWriter(new StringWriter(), true), new PrintWriter(err, true));
        assertThat(rc).as("nydus-image create: %s", err).isZero();
        // The guest sees the source through 9p, which hides trusted.* attributes: list them here.
        Files.writeString(work.resolve("src-" + name + ".xattrs"), TreeCompare.getfattr(src));
        StringBuilder md5 = new StringBuilder();
        FsCacheGuestScenario.md5s(src).forEach((path, sum) -> md5.append(sum).append(' ').append(path).append('\n'));
        Files.writeString(work.resolve("src-" + name + ".md5"), md5);
    }
}
