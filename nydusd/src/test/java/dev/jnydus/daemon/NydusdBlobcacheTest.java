package dev.jnydus.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jnydus.builder.BuildOptions;
import dev.jnydus.daemon.RegistryMountConfig.Format;
import dev.jnydus.testkit.Privileged;
import dev.jnydus.testkit.registry.AccessCounts;
import dev.jnydus.testkit.registry.RegistryServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The blob cache, prefetch and read amplification of a mounted {@code nydusd}, with blobs in a
 * real registry and every backend request counted in the registry's own access log (independent
 * of the daemon's metrics). Reads that must reach the daemon are O_DIRECT, so that the page cache
 * cannot answer them; first reads of a file need not be.
 */
@Tag("privileged")
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class NydusdBlobcacheTest {
    private static final String REPO = "jnydus/cache";
    private static final int SMALL_FILES = 60;
    private static final int CHUNK = 64 << 10;
    private static final int BIG = 64 << 20;
    /** Listed in the prefetch hints or table: every other file from f0020 to f0038. */
    private static final List<Integer> LISTED = IntStream.range(0, 10).map(i -> 20 + 2 * i).boxed().toList();

    private static Path work;
    private static Path src;
    private static BuiltImage image;
    private static BuiltImage withPrefetchTable;
    private static BuiltImage v5;
    private static RegistryServer registry;

    private NydusdProcess daemon;
    private int mounts;

    @BeforeAll
    static void buildAndPush() throws Exception {
        Privileged.requireFuse();
        Privileged.requireTool(RegistryServer.BINARY);
        work = Files.createTempDirectory("nydusd-blobcache-test");
        src = DistinctFiles.generate(work.resolve("src"), SMALL_FILES, 21);
        // Half-compressible: random bytes over 16 values, so that zstd stores a 64 KiB chunk in
        // about 32 KiB and amplification windows count compressed bytes.
        byte[] big = new byte[BIG];
        new Random(3).nextBytes(big);
        for (int i = 0; i < big.length; i++) {
            big[i] &= 0x0f;
        }
        Files.write(src.resolve("big.bin"), big);
        BuildOptions o = BuildOptions.defaults().withChunkSize(CHUNK);
        image = BuiltImage.build(src, work, "plain", o);
        withPrefetchTable = BuiltImage.build(src, work, "prefetch", o.withPrefetchPatterns(
                LISTED.stream().map(i -> "/" + DistinctFiles.name(i)).toList()));
        v5 = BuiltImage.build(src, work, "v5", o.withFsVersion(5));
        registry = RegistryServer.anonymous().start();
        image.pushTo(registry, REPO);
        withPrefetchTable.pushTo(registry, REPO);
        v5.pushTo(registry, REPO);
    }

    @AfterAll
    static void cleanUp() throws Exception {
        if (registry != null) {
            registry.close();
        }
        if (work != null) {
            Privileged.run("rm", "-rf", work.toString());
        }
    }

    @AfterEach
    void stopDaemon() throws Exception {
        if (daemon != null) {
            daemon.close();
            daemon = null;
        }
    }

    private Path mount(String name, Path bootstrap, RegistryMountConfig config, Format format, String... extra)
            throws Exception {
        String run = name + "-" + (mounts++);
        Path cfg = config.write(work.resolve(run + ".json"), format);
        Path mp = Files.createDirectories(work.resolve(run + "-mnt"));
        List<String> args = new ArrayList<>(List.of("--mountpoint", mp.toString(), "--config", cfg.toString(),
                "--bootstrap", bootstrap.toString(), "--log-level", "info"));
        args.addAll(List.of(extra));
        daemon = NydusdProcess.mount(work.resolve(run + ".log"), mp, Map.of(), args);
        return mp;
    }

    private RegistryMountConfig config(Path workDir, long amplifyIo) {
        return RegistryMountConfig.of(registry, REPO).blobcache(workDir).amplifyIo(amplifyIo);
    }

    /** The registry's blob read count, settled (see {@link AccessCounts}). */
    private static long settledReads() throws Exception {
        return AccessCounts.settled(registry::blobReads);
    }

    private static void assertSmallFile(Path mp, int i, boolean direct) throws IOException {
        byte[] want = Files.readAllBytes(src.resolve(DistinctFiles.name(i)));
        byte[] got = direct ? DirectReads.readAll(mp.resolve(DistinctFiles.name(i)), 4096)
                : Files.readAllBytes(mp.resolve(DistinctFiles.name(i)));
        assertThat(got).as(DistinctFiles.name(i)).isEqualTo(want);
    }

    @Test
    void aChunkIsFetchedOnceAndARestartedDaemonReadsItsCacheWithoutTheBackend() throws Exception {
        Path cache = work.resolve("restart-cache");
        Path mp = mount("restart", image.bootstrap(), config(cache, 0), Format.V2);
        long c0 = settledReads();
        assertSmallFile(mp, 0, false);
        assertThat(settledReads() - c0).as("first read of f0000").isEqualTo(1);
        assertSmallFile(mp, 0, true);
        assertSmallFile(mp, 0, true);
        assertThat(settledReads() - c0).as("after two more O_DIRECT reads of f0000").isEqualTo(1);
        for (int i = 1; i < 10; i++) {
            assertSmallFile(mp, i, false);
        }
        assertThat(settledReads() - c0).as("f0000..f0009").isEqualTo(10);
        daemon.stop();

        long beforeRestart = settledReads();
        mp = mount("restart", image.bootstrap(), config(cache, 0), Format.V2);
        for (int i = 0; i < 10; i++) {
            assertSmallFile(mp, i, true);
        }
        long restarted = settledReads() - beforeRestart;
        System.out.printf("restart: %d backend requests for 10 cached files (mount included)%n", restarted);
        assertThat(restarted).as("backend requests of the new daemon, mount included").isZero();
        assertSmallFile(mp, 10, false);
        assertThat(settledReads() - beforeRestart).as("an uncached file still goes to the backend").isEqualTo(1);
        daemon.stop();
    }

    /** Mounts with a fresh cache, reads big.bin in 4 KiB O_DIRECT steps; returns the backend requests. */
    private long requestsForTheBigFile(String name, BuiltImage img, long amplifyIo, Format format) throws Exception {
        Path mp = mount(name, img.bootstrap(), config(work.resolve(name + "-cache"), amplifyIo), format);
        long c0 = settledReads();
        long t0 = System.nanoTime();
        String sha = DirectReads.sha256(mp.resolve("big.bin"), 4096);
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertThat(sha).isEqualTo(RegistryServer.sha256(Files.readAllBytes(src.resolve("big.bin"))));
        long n = settledReads() - c0;
        System.out.printf("%s: %d backend requests for a 64 MiB file in 4 KiB O_DIRECT reads (%d ms)%n", name, n, ms);
        daemon.stop();
        return n;
    }

    @Test
    void amplifyIoTurnsOneRequestPerChunkIntoOnePerWindow() throws Exception {
        int chunks = BIG / CHUNK;
        assertThat(requestsForTheBigFile("amplify-0", image, 0, Format.V2)).as("amplify_io 0: one request per chunk")
                .isEqualTo(chunks);
        long amplified = requestsForTheBigFile("amplify-1m", image, 1 << 20, Format.V1);
        // 1 MiB of compressed bytes per request: at most one per MiB of file, and fewer since the
        // chunks are stored compressed to about half.
        assertThat(amplified).as("amplify_io 1 MiB").isLessThanOrEqualTo(BIG >> 20).isLessThan(chunks / 16);
    }

    @Test
    void amplifyIoWorksForRafsV5Too() throws Exception {
        // v5 blobs have no chunk-info array: the cache learns the blob's chunks from the bootstrap.
        long amplified = requestsForTheBigFile("amplify-1m-v5", v5, 1 << 20, Format.V2);
        assertThat(amplified).as("amplify_io 1 MiB, RAFS v5").isLessThanOrEqualTo(BIG >> 20)
                .isLessThan(BIG / CHUNK / 16);
    }

    /** Waits until the daemon logs the end of its mount-time prefetch, then for the registry to settle. */
    private long awaitPrefetch() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!daemon.log().contains("prefetch finished")) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("prefetch did not finish:\n" + daemon.log());
            }
            Thread.sleep(50);
        }
        return settledReads();
    }

    /** After the prefetch: listed files cost nothing, each unlisted file costs its one chunk. */
    private void assertOnlyTheListedFilesWerePrefetched(Path mp, long beforeMount) throws Exception {
        long afterPrefetch = awaitPrefetch();
        assertThat(afterPrefetch - beforeMount).as("requests of mount and prefetch").isPositive();
        for (int i : LISTED) {
            assertSmallFile(mp, i, false);
        }
        assertThat(settledReads() - afterPrefetch).as("reading the listed files after the prefetch").isZero();
        List<Integer> unlisted = LISTED.stream().map(i -> i + 1).toList();
        for (int i : unlisted) {
            assertSmallFile(mp, i, false);
        }
        assertThat(settledReads() - afterPrefetch).as("reading the unlisted files between them")
                .isEqualTo(unlisted.size());
        daemon.stop();
    }

    @Test
    void prefetchFilesAreCachedAtMountAndNothingElse() throws Exception {
        Path list = work.resolve("prefetch-list");
        Files.writeString(list, String.join("\n", LISTED.stream().map(i -> "/" + DistinctFiles.name(i)).toList())
                + "\n/not-in-the-image\n");
        long before = settledReads();
        Path mp = mount("prefetch-files", image.bootstrap(), config(work.resolve("prefetch-files-cache"), 0)
                .prefetch(true), Format.V2, "--prefetch-files", list.toString());
        assertOnlyTheListedFilesWerePrefetched(mp, before);
    }

    @Test
    void theBootstrapPrefetchTableIsPrefetchedAtMountAndNothingElse() throws Exception {
        long before = settledReads();
        Path mp = mount("prefetch-table", withPrefetchTable.bootstrap(), config(work.resolve("prefetch-table-cache"), 0)
                .prefetch(true), Format.V1);
        assertOnlyTheListedFilesWerePrefetched(mp, before);
    }

    @Test
    void aFlippedByteInTheCacheFileIsCaughtRefetchedAndServedRight() throws Exception {
        Path cache = work.resolve("flip-cache");
        Path mp = mount("flip", image.bootstrap(), config(cache, 0).validate(true), Format.V2);
        int victim = 40;
        assertSmallFile(mp, victim, false);
        daemon.stop();

        Path data = cache.resolve(image.blobId() + ".blob.data");
        byte[] content = Files.readAllBytes(src.resolve(DistinctFiles.name(victim)));
        long at = NydusdRegistryFaultTest.indexOf(Files.readAllBytes(data), Arrays.copyOf(content, 64));
        assertThat(at).as("the file's chunk in the cache file").isNotNegative();
        NydusdRegistryFaultTest.flip(data, at + 100);

        long before = settledReads();
        mp = mount("flip", image.bootstrap(), config(cache, 0).validate(true), Format.V2);
        assertSmallFile(mp, victim, true);
        assertThat(settledReads() - before).as("the bad chunk fetched again").isEqualTo(1);
        assertThat(daemon.log()).contains("cached data fails validation; refetching");
        assertSmallFile(mp, victim, true);
        assertThat(settledReads() - before).as("and cached again").isEqualTo(1);
        daemon.stop();
    }

    /** Fills a cache with the upstream fixture (no CRCs), flips its middle byte, mounts it again. */
    @Test
    void digestValidationCatchesAFlippedByteInTheCacheOfChunksWithoutCrc() throws Exception {
        registry.pushBlob(REPO, UpstreamFixture.blob());
        Path cache = work.resolve("fixture-cache");
        Path mp = mount("fixture", UpstreamFixture.bootstrap(), config(cache, 0), Format.V1);
        assertThat(UpstreamFixture.md5sOf(mp)).isEqualTo(UpstreamFixture.md5s());
        daemon.stop();
        Path data = cache.resolve(UpstreamFixture.BLOB_ID + ".blob.data");
        NydusdRegistryFaultTest.flip(data, Files.size(UpstreamFixture.blob()) / 2);

        // Without validation the cache file is trusted, as upstream trusts it: the control that
        // shows the flipped byte is served.
        long before = settledReads();
        mp = mount("fixture", UpstreamFixture.bootstrap(), config(cache, 0), Format.V1);
        Map<String, String> got = UpstreamFixture.md5sOf(mp);
        assertThat(got).isNotEqualTo(UpstreamFixture.md5s()).doesNotContainValue(UpstreamFixture.EIO);
        assertThat(settledReads() - before).as("all from the cache").isZero();
        daemon.stop();

        mp = mount("fixture", UpstreamFixture.bootstrap(), config(cache, 0).validate(true), Format.V1);
        assertThat(UpstreamFixture.md5sOf(mp)).isEqualTo(UpstreamFixture.md5s());
        long refetched = settledReads() - before;
        assertThat(refetched).as("the bad chunk fetched again").isEqualTo(1);
        daemon.stop();

        mp = mount("fixture", UpstreamFixture.bootstrap(), config(cache, 0), Format.V1);
        assertThat(UpstreamFixture.md5sOf(mp)).as("the good chunk was stored").isEqualTo(UpstreamFixture.md5s());
        assertThat(settledReads() - before).isEqualTo(refetched);
        daemon.stop();
    }
}
