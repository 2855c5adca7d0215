package dev.jnydus.builder;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jnydus.common.Compressor;
import dev.jnydus.testkit.Privileged;
import dev.jnydus.testkit.TestTrees;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 4, check 1: our v6 is real EROFS. The kernel's own driver mounts a bootstrap built with
 * {@code --compressor none --aligned-chunk}, the data blob attached as the extra device, and shows
 * exactly the source tree: {@code diff -r} is clean and every entry's stat, xattrs and content
 * match.
 */
@Tag("privileged")
class KernelErofsMountTest {
    @TempDir
    Path tmp;

    /** 1 MiB chunks (one EROFS chunk per contiguous file) and 4 KiB chunks (one per block). */
    @ParameterizedTest(name = "chunk size {0}")
    @ValueSource(ints = {0x100000, 0x1000})
    void kernelMountsOurV6ImageAndShowsTheSourceTree(int chunkSize) throws Exception {
        Privileged.requireRoot();
        Privileged.requireTool("losetup");
        Privileged.require(Files.readString(Path.of("/proc/filesystems")).contains("erofs"),
                "needs the erofs filesystem in the kernel");
        Path src = TestTrees.generate(tmp.resolve("src"), TestTrees.Options.defaults().withMaxFileSize(4L << 20));
        Path out = Files.createDirectories(tmp.resolve("out"));
        BuildOptions o = BuildOptions.defaults().withCompressor(Compressor.NONE).withAlignedChunk(true)
                .withChunkSize(chunkSize);
        BuildResult r = new ImageBuilder(o, null).create(src, BuildOutputs.toDir(out.resolve("image.boot"), out));
        assertThat(r.blob()).isNotNull();

        try (KernelMounts m = new KernelMounts()) {
            Path mnt = m.mountErofs(r.bootstrap(), List.of(r.blob()), tmp.resolve("mnt"));
            // diff -r on everything diff can compare (it reports special files as "trouble").
            String diff = run("diff", "-r", "--no-dereference", "-x", "special", src.toString(), mnt.toString());
            assertThat(diff).isEmpty();
            TreeSnapshot.ofDirectory(src).assertSameAs(TreeSnapshot.ofDirectory(mnt), TreeSnapshot.Compare.image());
        }
    }

    private static String run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        int rc = p.waitFor();
        return rc == 0 ? out : "exit " + rc + ": " + out;
    }
}
