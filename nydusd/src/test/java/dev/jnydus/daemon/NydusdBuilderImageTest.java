package dev.jnydus.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jnydus.builder.cli.NydusImageCli;
import dev.jnydus.testkit.Privileged;
import dev.jnydus.testkit.TestTrees;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * RAFS images made by the project's builder ({@code nydus-image create}) from the testkit's rich
 * tree, mounted by {@code nydusd} and compared with the tree: v5 and v6, each compressor, both
 * digesters, served through the blob cache from a localfs backend.
 */
@Tag("privileged")
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class NydusdBuilderImageTest {
    private static Path work;
    private static Path src;

    private NydusdProcess daemon;

    @BeforeAll
    static void generateTree() throws Exception {
        Privileged.requireFuse();
        for (String tool : new String[] {"getfattr", "diff"}) {
            Privileged.requireTool(tool);
        }
        work = Files.createTempDirectory("nydusd-builder-test");
        src = TestTrees.generate(work.resolve("src"));
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

    @ParameterizedTest(name = "v{0} {1} {2}")
    @CsvSource({"5, lz4_block, sha256", "5, none, blake3", "6, zstd, blake3", "6, gzip, sha256"})
    void builderImageMountsAndReadsBackTheTree(int version, String compressor, String digester) throws Exception {
        String name = "v" + version + "-" + compressor;
        Path blobs = Files.createDirectories(work.resolve(name + "-blobs"));
        Path boot = work.resolve(name + ".boot");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int rc = NydusImageCli.run(new String[] {"create", "--fs-version", Integer.toString(version), "--compressor",
            compressor, "--digester", digester, "--bootstrap", boot.toString(), "--blob-dir", blobs.toString(),
            src.toString()}, new PrintWriter(out, true), new PrintWriter(err, true));
        assertThat(rc).as("nydus-image create: %s", err).isZero();

        Path cfg = work.resolve(name + ".json");
        Files.writeString(cfg, "{\"version\":2,\"backend\":{\"type\":\"localfs\",\"localfs\":{\"dir\":\"" + blobs
                + "\"}},\"cache\":{\"type\":\"blobcache\",\"filecache\":{\"work_dir\":\"" + work.resolve(name + "-cache")
                + "\"}},\"rafs\":{\"mode\":\"direct\"}}");
        Path mp = Files.createDirectories(work.resolve(name + "-mnt"));
        List<String> args = new ArrayList<>(List.of("--mountpoint", mp.toString(), "--config", cfg.toString(),
                "--bootstrap", boot.toString()));
        daemon = NydusdProcess.start(work.resolve(name + ".log"), mp, args.toArray(new String[0]));
        daemon.awaitMounted(Duration.ofSeconds(60));

        // The builder stores mtime 0 for the root, as upstream's does; nydusd shows the mount time.
        TreeCompare.assertSameTree(src, mp, true);
        long rootMtime = Files.getLastModifiedTime(mp).toInstant().getEpochSecond();
        assertThat(rootMtime).isBetween(System.currentTimeMillis() / 1000 - 600, System.currentTimeMillis() / 1000 + 5);
        try (Stream<Path> s = Files.list(mp.resolve("bigdir"))) {
            assertThat(s.count()).isEqualTo(TestTrees.Options.defaults().bigDirEntries());
        }
        assertThat(daemon.log()).doesNotContain(" ERROR ");
        daemon.signal("TERM");
        assertThat(daemon.awaitExit(Duration.ofSeconds(30))).isZero();
        assertThat(NydusdProcess.isMounted(mp)).isFalse();
    }
}
