package dev.jnydus.builder;

import dev.jnydus.common.Compressor;
import dev.jnydus.common.Digester;
import dev.jnydus.rafs.metadata.ImageValidator;
import dev.jnydus.rafs.metadata.RafsFormatException;
import dev.jnydus.rafs.metadata.RafsSuper;
import dev.jnydus.testkit.ByteMutation;
import dev.jnydus.testkit.ParseOrReject;
import dev.jnydus.testkit.TestTrees;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.statistics.Statistics;

/**
 * The reader's parse-or-reject property on RAFS images this builder writes (there is no upstream
 * v6 fixture in ../shared): mutated v6 and v5 bootstraps with every entry kind, xattrs, hardlinks,
 * multi-block directories and a prefetch table either validate or fail with
 * {@link RafsFormatException}, within a time bound.
 */
class BuiltImageMutationPropertyTest {
    private static final ParseOrReject PARSER = new ParseOrReject(RafsFormatException.class, Duration.ofSeconds(10));
    private static byte[] v6;
    private static byte[] v5;

    @AfterContainer
    static void stop() {
        PARSER.close();
    }

    private static synchronized void build() throws Exception {
        if (v6 != null) {
            return;
        }
        Path tmp = Files.createTempDirectory("jnydus-mutate-");
        try {
            TestTrees.Options small = TestTrees.Options.defaults().withMaxFileSize(256 << 10).withRandomFiles(6)
                    .withBigDirEntries(300);
            Path src = TestTrees.generate(tmp.resolve("src"), small);
            v6 = buildImage(src, tmp.resolve("v6"), 6);
            v5 = buildImage(src, tmp.resolve("v5"), 5);
        } finally {
            try (var s = Files.walk(tmp)) {
                s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static byte[] buildImage(Path src, Path out, int version) throws Exception {
        Files.createDirectories(out);
        BuildOptions o = BuildOptions.defaults().withFsVersion(version).withCompressor(Compressor.ZSTD)
                .withDigester(Digester.BLAKE3).withChunkSize(0x10000).withPrefetchPatterns(List.of("/files", "/links"));
        BuildResult r = new ImageBuilder(o, null).create(src, BuildOutputs.toDir(out.resolve("boot"), out));
        return Files.readAllBytes(r.bootstrap());
    }

    @Provide
    Arbitrary<List<ByteMutation>> mutationLists() {
        return ByteMutation.lists();
    }

    @Property(tries = 2500)
    void rafsV6(@ForAll("mutationLists") List<ByteMutation> ms) throws Exception {
        build();
        check(ByteMutation.applyAll(v6, ms), ms);
    }

    @Property(tries = 1500)
    void rafsV5(@ForAll("mutationLists") List<ByteMutation> ms) throws Exception {
        build();
        check(ByteMutation.applyAll(v5, ms), ms);
    }

    private static void check(byte[] input, List<ByteMutation> ms) {
        Statistics.collect(PARSER.check(() -> {
            try (RafsSuper sb = RafsSuper.fromBytes(input)) {
                ImageValidator.validate(sb);
            }
        }, ms));
    }
}
