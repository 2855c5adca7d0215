package dev.jnydus.builder;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jnydus.common.Compressor;
import dev.jnydus.testkit.TestTrees;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reproducible builds: the same input and flags give byte-identical bootstrap and blob, even from
 * two copies of the tree at different paths with different inode numbers and creation order.
 */
class ReproducibleBuildTest {
    @TempDir
    static Path trees;
    private static Path a;
    private static Path b;

    @TempDir
    Path tmp;

    @BeforeAll
    static void trees() throws IOException {
        TestTrees.Options t = TestTrees.Options.defaults().withMaxFileSize(2L << 20).withBigDirEntries(300);
        a = TestTrees.generate(trees.resolve("a"), t);
        b = TestTrees.generate(trees.resolve("copy/b"), t);
    }

    @ParameterizedTest(name = "v{0} {1}")
    @CsvSource({"5, zstd", "6, zstd", "6, lz4_block", "5, gzip"})
    void sameInputSameBytes(int version, String compressor) throws IOException {
        BuildOptions o = BuildOptions.defaults().withFsVersion(version).withCompressor(Compressor.ofLabel(compressor))
                .withRepeatable(true);
        BuildResult ra = build(a, tmp.resolve("out-a"), o);
        BuildResult rb = build(b, tmp.resolve("out-b"), o);
        assertThat(ra.blobIds()).isEqualTo(rb.blobIds());
        assertThat(Files.readAllBytes(ra.blob())).isEqualTo(Files.readAllBytes(rb.blob()));
        assertThat(Files.readAllBytes(ra.bootstrap())).isEqualTo(Files.readAllBytes(rb.bootstrap()));
        // And a rebuild into the same place.
        BuildResult again = build(a, tmp.resolve("out-a2"), o);
        assertThat(Files.readAllBytes(again.bootstrap())).isEqualTo(Files.readAllBytes(ra.bootstrap()));
    }

    @org.junit.jupiter.api.Test
    void sameTarSameBytes() throws Exception {
        Path tgz = trees.resolve("a.tar.gz");
        if (!Files.exists(tgz)) {
            dev.jnydus.testkit.Privileged.run("tar", "--sort=name", "-C", a.toString(), "-czf", tgz.toString(), ".");
        }
        BuildOptions o = BuildOptions.defaults().withType(SourceType.TARGZ).withRepeatable(true);
        BuildResult r1 = build(tgz, tmp.resolve("t1"), o);
        BuildResult r2 = build(tgz, tmp.resolve("t2"), o);
        assertThat(Files.readAllBytes(r1.blob())).isEqualTo(Files.readAllBytes(r2.blob()));
        assertThat(Files.readAllBytes(r1.bootstrap())).isEqualTo(Files.readAllBytes(r2.bootstrap()));
    }

    private static BuildResult build(Path src, Path out, BuildOptions o) throws IOException {
        Files.createDirectories(out);
        return new ImageBuilder(o, null).create(src, BuildOutputs.toDir(out.resolve("boot"), out));
    }
}
