package dev.jnydus.builder;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code create --chunk-dict bootstrap=PATH}: chunks the dictionary image already stores are
 * referenced in its blob, which joins the blob table only when used; the image reads back whole.
 */
class ChunkDictTest {
    @TempDir
    Path tmp;

    @ParameterizedTest(name = "v{0}")
    @ValueSource(ints = {5, 6})
    void sharedChunksComeFromTheDictionary(int version) throws IOException {
        byte[] shared = new byte[(2 << 20) + 77];
        new Random(11).nextBytes(shared);
        Path dictSrc = Files.createDirectories(tmp.resolve("dict-src"));
        Files.write(dictSrc.resolve("lib.so"), shared);
        Path src = Files.createDirectories(tmp.resolve("src"));
        Files.write(src.resolve("copy-of-lib.so"), shared);
        Files.writeString(src.resolve("own"), "only here\n");
        Path unrelated = Files.createDirectories(tmp.resolve("unrelated"));
        Files.writeString(unrelated.resolve("x"), "nothing shared\n");

        Path out = Files.createDirectories(tmp.resolve("out"));
        BuildOptions o = BuildOptions.defaults().withFsVersion(version);
        BuildResult dict = new ImageBuilder(o, null).create(dictSrc, BuildOutputs.toDir(out.resolve("dict.boot"), out));
        BuildResult img = new ImageBuilder(o.withChunkDict(dict.bootstrap()), null)
                .create(src, BuildOutputs.toDir(out.resolve("img.boot"), out));

        // "copy-of-lib.so" comes first in dump order, so the dictionary blob is blob 0.
        assertThat(img.blobIds()).hasSize(2).first().isEqualTo(dict.blobIds().get(0));
        assertThat(img.chunks()).isEqualTo(1);
        TreeSnapshot.ofDirectory(src).assertSameAs(TreeSnapshot.ofImage(img.bootstrap(), out),
                TreeSnapshot.Compare.image());

        BuildResult none = new ImageBuilder(o.withChunkDict(dict.bootstrap()), null)
                .create(unrelated, BuildOutputs.toDir(out.resolve("none.boot"), out));
        assertThat(none.blobIds()).hasSize(1).doesNotContain(dict.blobIds().get(0));
    }
}
