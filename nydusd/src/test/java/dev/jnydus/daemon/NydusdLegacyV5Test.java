package dev.jnydus.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jnydus.testkit.LegacyV5Bootstrap;
import dev.jnydus.testkit.Privileged;
import dev.jnydus.testkit.TestTrees;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A RAFS v5 image as upstream's builder wrote it before 2.0 (no extended blob table, so no chunk
 * counts; every chunk record's index 0; an lz4 image whose incompressible chunks are stored raw
 * with their flag clear), mounted by {@code nydusd} over a blob cache: every file must read back
 * byte-exact, first by 16 concurrent readers, then by {@code diff -r}, and again after a restart
 * over the same cache directory; with validation off and on.
 */
@Tag("privileged")
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class NydusdLegacyV5Test {
    private static Path work;
    private static Path src;
    private static Path boot;
    private static Path blobs;

    private NydusdProcess daemon;

    @BeforeAll
    static void buildLegacyImage() throws Exception {
        Privileged.requireFuse();
        Privileged.requireTool("diff");
        work = Files.createTempDirectory("nydusd-legacy-v5-rel-cache");
        src = TestTrees.generate(work.resolve("src"), TestTrees.Options.defaults().withMaxFileSize(3L * TestTrees.MIB)
                .withRandomFiles(16).withBigDirEntries(300));
        boot = work.resolve("legacy.boot");
        blobs = work.resolve("blobs");
        LocalImage.build(src, boot, blobs, "--fs-version", "5", "--compressor", "lz4_block", "--digester", "blake3");
        LegacyV5Bootstrap.Result r = LegacyV5Bootstrap.rewrite(boot);
        assertThat(r.rawChunkRecords()).as("incompressible chunks stored raw").isPositive();
        assertThat(r.rawChunkRecords()).as("compressed chunks").isLessThan(r.chunkRecords());
    }

    @AfterAll
    static void cleanUp() throws Exception {
        if (work != null) {
            Privileged.run("rm", "-rf", work.toString());
        }
    }

    @AfterEach
    void stop() throws Exception {
        if (daemon != null) {
            daemon.close();
        }
    }

    private NydusdProcess mount(String name, Path cache, boolean validate) throws Exception {
        Path cfg = LocalImage.blobcacheConfig(work.resolve(name + ".json"), blobs, cache, validate);
        Path mp = Files.createDirectories(work.resolve(name + "-mnt"));
        return NydusdProcess.mount(work.resolve(name + ".log"), mp, java.util.Map.of(), List.of("--mountpoint",
                mp.toString(), "--config", cfg.toString(), "--bootstrap", boot.toString()));
    }

    private static List<Path> regularFiles(Path root) throws Exception {
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(p -> Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)).toList();
        }
    }

    /** 16 readers at once, each reading every file (in different orders): the cache's first reads. */
    private static void concurrentReadersSeeTheSource(Path mp) throws Exception {
        List<Path> files = regularFiles(src);
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            List<Future<List<String>>> results = new ArrayList<>();
            for (int t = 0; t < 16; t++) {
                int shift = t;
                results.add(pool.submit(() -> {
                    List<String> wrong = new ArrayList<>();
                    for (int i = 0; i < files.size(); i++) {
                        Path f = files.get((i * 7 + shift * 13) % files.size());
                        Path m = mp.resolve(src.relativize(f).toString());
                        if (!Arrays.equals(Files.readAllBytes(m), Files.readAllBytes(f))) {
                            wrong.add(src.relativize(f).toString());
                        }
                    }
                    return wrong;
                }));
            }
            List<String> wrong = new ArrayList<>();
            for (Future<List<String>> f : results) {
                wrong.addAll(f.get(5, TimeUnit.MINUTES));
            }
            assertThat(wrong).as("files read back wrong").isEmpty();
        } finally {
            pool.shutdownNow();
        }
    }

    @ParameterizedTest(name = "digest_validate {0}")
    @ValueSource(booleans = {false, true})
    void legacyImageReadsBackByteExact(boolean validate) throws Exception {
        Path cache = work.resolve("validate-" + validate + "-cache");
        // The second daemon restarts over the first one's cache: what it cached must read right.
        for (String name : List.of("validate-" + validate, "validate-" + validate + "-again")) {
            daemon = mount(name, cache, validate);
            Path mp = work.resolve(name + "-mnt");
            concurrentReadersSeeTheSource(mp);
            TreeCompare.assertSameTree(src, mp, true);
            assertThat(daemon.log()).doesNotContain(" ERROR ");
            daemon.stop();
            daemon = null;
        }
    }
}
