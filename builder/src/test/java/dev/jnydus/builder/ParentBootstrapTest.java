package dev.jnydus.builder;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jnydus.rafs.metadata.RafsSuper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Layered build ({@code create --parent-bootstrap}): the new bootstrap is the whole image, lower
 * layer with the upper one applied (whiteouts included), and the upper blob stores only data the
 * lower blobs do not already hold.
 */
class ParentBootstrapTest {
    @TempDir
    Path tmp;

    private static final FileTime T = FileTime.fromMillis(1_500_000_000_000L);

    private static void write(Path p, byte[] data) throws IOException {
        Files.createDirectories(p.getParent());
        Files.write(p, data);
        Files.setLastModifiedTime(p, T);
    }

    @ParameterizedTest(name = "v{0}")
    @ValueSource(ints = {5, 6})
    void upperLayerOnParentGivesTheMergedImage(int version) throws IOException {
        byte[] shared = new byte[3 << 20];
        new Random(9).nextBytes(shared);
        Path lower = tmp.resolve("lower");
        write(lower.resolve("keep"), "keep\n".getBytes());
        write(lower.resolve("gone"), "gone\n".getBytes());
        write(lower.resolve("dir/old"), "old\n".getBytes());
        write(lower.resolve("shared.bin"), shared);
        Path upper = tmp.resolve("upper");
        write(upper.resolve(".wh.gone"), new byte[0]);
        write(upper.resolve("dir/new"), "new\n".getBytes());
        write(upper.resolve("copy-of-shared.bin"), shared);
        Path expected = tmp.resolve("expected");
        write(expected.resolve("keep"), "keep\n".getBytes());
        write(expected.resolve("dir/old"), "old\n".getBytes());
        write(expected.resolve("dir/new"), "new\n".getBytes());
        write(expected.resolve("shared.bin"), shared);
        write(expected.resolve("copy-of-shared.bin"), shared);
        for (Path d : new Path[] {lower, upper, expected}) {
            Files.setLastModifiedTime(d.resolve("dir"), T);
        }

        Path out = Files.createDirectories(tmp.resolve("out"));
        BuildOptions o = BuildOptions.defaults().withFsVersion(version);
        BuildResult l = new ImageBuilder(o, null).create(lower, BuildOutputs.toDir(out.resolve("lower.boot"), out));
        BuildResult u = new ImageBuilder(o.withParentBootstrap(l.bootstrap()), null)
                .create(upper, BuildOutputs.toDir(out.resolve("image.boot"), out));

        assertThat(u.blobIds()).hasSize(2).startsWith(l.blobIds().get(0));
        // The upper blob holds dir/new only: the 3 MiB file is referenced from the lower blob.
        assertThat(u.chunks()).isEqualTo(1);
        TreeSnapshot.ofDirectory(expected).assertSameAs(TreeSnapshot.ofImage(u.bootstrap(), out),
                TreeSnapshot.Compare.image());
        try (RafsSuper sb = RafsSuper.open(u.bootstrap())) {
            assertThat(sb.blobs()).hasSize(2);
        }
    }
}
