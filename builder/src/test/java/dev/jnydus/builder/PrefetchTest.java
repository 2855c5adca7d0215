package dev.jnydus.builder;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jnydus.rafs.metadata.FileExtent;
import dev.jnydus.rafs.metadata.RafsInode;
import dev.jnydus.rafs.metadata.RafsSuper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --prefetch-policy fs}: the patterns that match go into the prefetch table in input order
 * (v5 inode numbers, v6 nids), patterns covered by earlier ones or matching nothing are dropped,
 * and the matched files' data comes first in the blob.
 */
class PrefetchTest {
    @TempDir
    Path tmp;

    @ParameterizedTest(name = "v{0}")
    @ValueSource(ints = {5, 6})
    void matchedPatternsFormThePrefetchTable(int version) throws IOException {
        Path src = Files.createDirectories(tmp.resolve("src"));
        Random r = new Random(3);
        for (String d : new String[] {"a", "b", "c/d"}) {
            Files.createDirectories(src.resolve(d));
        }
        for (String f : new String[] {"a/1", "a/2", "b/1", "c/d/1", "z"}) {
            byte[] data = new byte[100_000];
            r.nextBytes(data);
            Files.write(src.resolve(f), data);
        }
        List<String> patterns = List.of("/z", "/c", "/c/d/1", "/missing", "relative/ignored", "/b/1/");
        Path out = Files.createDirectories(tmp.resolve("out"));
        BuildResult res = new ImageBuilder(BuildOptions.defaults().withFsVersion(version)
                .withPrefetchPatterns(patterns), null).create(src, BuildOutputs.toDir(out.resolve("boot"), out));
        try (RafsSuper sb = RafsSuper.open(res.bootstrap())) {
            RafsInode root = sb.inode(sb.rootIno());
            RafsInode z = lookup(sb, root, "z");
            RafsInode c = lookup(sb, root, "c");
            RafsInode b1 = lookup(sb, lookup(sb, root, "b"), "1");
            assertThat(sb.prefetchInodes()).containsExactly(z.ino(), c.ino(), b1.ino());
            // Blob order: /z, then the files under /c, then /b/1, then the rest.
            RafsInode cd1 = lookup(sb, lookup(sb, c, "d"), "1");
            List<Long> firstChunk = new ArrayList<>();
            for (RafsInode f : List.of(z, cd1, b1)) {
                firstChunk.add(((FileExtent.Chunk) f.extents(0, 1).get(0)).chunk().compressedOffset());
            }
            assertThat(firstChunk).isSorted();
            assertThat(firstChunk.get(0)).isZero();
            RafsInode a1 = lookup(sb, lookup(sb, root, "a"), "1");
            assertThat(((FileExtent.Chunk) a1.extents(0, 1).get(0)).chunk().compressedOffset())
                    .isGreaterThan(firstChunk.get(2));
        }
    }

    private static RafsInode lookup(RafsSuper sb, RafsInode dir, String name) throws IOException {
        RafsInode i = sb.lookup(dir, name.getBytes(StandardCharsets.UTF_8));
        assertThat(i).as(name).isNotNull();
        return i;
    }
}
