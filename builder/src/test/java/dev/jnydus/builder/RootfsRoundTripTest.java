package dev.jnydus.builder;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jnydus.backend.localfs.LocalFsBackend;
import dev.jnydus.builder.check.ImageChecker;
import dev.jnydus.common.Compressor;
import dev.jnydus.common.Digester;
import dev.jnydus.rafs.metadata.RafsSuper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 4, check 2 on a Debian root filesystem ({@link DebianRootfs}): every version × compressor
 * × digester reads back the exact tree and bytes through the project's reader, and
 * {@code nydus-image check}'s verifier accepts the image.
 */
class RootfsRoundTripTest {
    private static Path rootfs;
    private static Path tmp;
    private static TreeSnapshot source;

    @BeforeAll
    static void rootfs() throws Exception {
        rootfs = DebianRootfs.get();
        tmp = Files.createTempDirectory("jnydus-rootfs-");
        source = TreeSnapshot.ofDirectory(rootfs);
    }

    @AfterAll
    static void cleanup() throws IOException {
        if (tmp != null) {
            Files.walk(tmp).sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @ParameterizedTest(name = "v{0} {1} {2}")
    @MethodSource("dev.jnydus.builder.RoundTripTest#matrix")
    void readerShowsTheRootfs(int version, Compressor c, Digester d) throws IOException {
        Path out = Files.createDirectories(tmp.resolve("v" + version + "-" + c + "-" + d));
        BuildOptions o = BuildOptions.defaults().withFsVersion(version).withCompressor(c).withDigester(d);
        BuildResult r = new ImageBuilder(o, null).create(rootfs, BuildOutputs.toDir(out.resolve("boot"), out));
        try {
            source.assertSameAs(TreeSnapshot.ofImage(r.bootstrap(), out), TreeSnapshot.Compare.image());
        } finally {
            Files.deleteIfExists(r.blob());
        }
    }

    /** The rootfs as an OCI-style layer: GNU tar, gzipped, through the tar-rafs path. */
    @Test
    void rootfsTarballReadsBackAsTheRootfs() throws Exception {
        Path tgz = tmp.resolve("rootfs.tar.gz");
        Process p = new ProcessBuilder("tar", "--xattrs", "-C", rootfs.toString(), "-czf", tgz.toString(), ".")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        assertThat(p.waitFor()).isZero();
        Path out = Files.createDirectories(tmp.resolve("tgz"));
        BuildResult r = new ImageBuilder(BuildOptions.defaults().withType(SourceType.TARGZ), null)
                .create(tgz, BuildOutputs.toDir(out.resolve("boot"), out));
        try {
            // tar keeps whole seconds only.
            source.assertSameAs(TreeSnapshot.ofImage(r.bootstrap(), out), TreeSnapshot.Compare.image().withoutNsec());
        } finally {
            Files.deleteIfExists(r.blob());
            Files.deleteIfExists(tgz);
        }
    }

    @Test
    void checkVerifiesEveryChunkOfTheRootfsImage() throws IOException {
        Path out = Files.createDirectories(tmp.resolve("check"));
        BuildResult r = new ImageBuilder(BuildOptions.defaults(), null)
                .create(rootfs, BuildOutputs.toDir(out.resolve("boot"), out));
        try (RafsSuper sb = RafsSuper.open(r.bootstrap()); LocalFsBackend backend = LocalFsBackend.ofDir(out)) {
            ImageChecker.Report report = ImageChecker.verify(sb, backend);
            long files = source.entries.values().stream().filter(e -> (e.mode() & 0170000) == 0100000).count();
            assertThat(report.regularFiles()).isEqualTo(files);
            assertThat(report.chunksVerified()).isGreaterThanOrEqualTo(r.chunks());
        }
    }
}
