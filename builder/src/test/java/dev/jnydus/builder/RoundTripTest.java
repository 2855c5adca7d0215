package dev.jnydus.builder;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jnydus.common.BlobFeatures;
import dev.jnydus.common.Compressor;
import dev.jnydus.common.Digester;
import dev.jnydus.rafs.metadata.BlobInfo;
import dev.jnydus.rafs.metadata.RafsSuper;
import dev.jnydus.rafs.metadata.RafsVersion;
import dev.jnydus.testkit.TestTrees;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 4, check 2 on the rich test tree: for every version × compressor × digester, the project's
 * reader shows exactly the source tree, every chunk decompresses to bytes with the recorded digest,
 * and the blob table describes the blob that was written.
 */
class RoundTripTest {
    private static Path tmp;
    private static Path src;
    private static TreeSnapshot source;

    @BeforeAll
    static void tree() throws IOException {
        tmp = Files.createTempDirectory("jnydus-roundtrip-");
        src = TestTrees.generate(tmp.resolve("src"), TestTrees.Options.defaults().withMaxFileSize(3L << 20));
        source = TreeSnapshot.ofDirectory(src);
    }

    @AfterAll
    static void cleanup() throws IOException {
        Files.walk(tmp).sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }

    /** Every version × compressor × digester (also the matrix of {@link RootfsRoundTripTest}). */
    static Stream<Arguments> matrix() {
        List<Arguments> out = new ArrayList<>();
        for (int v : new int[] {5, 6}) {
            for (Compressor c : Compressor.values()) {
                for (Digester d : Digester.values()) {
                    out.add(Arguments.of(v, c, d));
                }
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "v{0} {1} {2}")
    @MethodSource("matrix")
    void readerShowsTheSourceTree(int version, Compressor c, Digester d) throws IOException {
        Path out = Files.createDirectories(tmp.resolve("v" + version + "-" + c + "-" + d));
        BuildOptions o = BuildOptions.defaults().withFsVersion(version).withCompressor(c).withDigester(d);
        BuildResult r = new ImageBuilder(o, null).create(src, BuildOutputs.toDir(out.resolve("boot"), out));

        source.assertSameAs(TreeSnapshot.ofImage(r.bootstrap(), out), TreeSnapshot.Compare.image());
        try (RafsSuper sb = RafsSuper.open(r.bootstrap())) {
            assertThat(sb.version()).isEqualTo(version == 5 ? RafsVersion.V5 : RafsVersion.V6);
            assertThat(sb.compressor()).isEqualTo(c);
            assertThat(sb.digester()).isEqualTo(d);
            assertThat(sb.chunkSize()).isEqualTo(BuildOptions.DEFAULT_CHUNK_SIZE);
            assertThat(sb.explicitUidGid()).isTrue();
            assertThat(sb.blobs()).hasSize(1);
            BlobInfo b = sb.blobs().get(0);
            assertThat(b.blobId()).isEqualTo(r.blob().getFileName().toString())
                    .isEqualTo(TreeSnapshot.sha256(r.blob()));
            assertThat(b.chunkCount()).isEqualTo(r.chunks());
            assertThat(b.compressedSize()).isEqualTo(Files.size(r.blob()));
            if (version == 6) {
                assertThat(b.hasFeature(BlobFeatures.ALIGNED | BlobFeatures.HAS_TOC)).isTrue();
                assertThat(b.ciUncompressedSize()).isEqualTo((long) b.chunkCount()
                        * (c == Compressor.GZIP ? BlobWriter.CI_V2_SIZE : BlobWriter.CI_V1_SIZE));
                assertThat(b.tocSize()).isGreaterThan(512);
            }
        }
    }
}
