package dev.jnydus.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jnydus.builder.BuildOptions;
import dev.jnydus.common.Compressor;
import dev.jnydus.daemon.RegistryMountConfig.Format;
import dev.jnydus.testkit.Privileged;
import dev.jnydus.testkit.registry.RegistryServer;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A mounted {@code nydusd} whose registry fails: killed while a reader goes over files, hanging
 * (SIGSTOP), or serving bytes that are not the blob's. The reader must get EIO within the
 * configured timeout and retries, never wrong bytes when {@code cache.validate} is on, and reads
 * must work again once the registry is back, without restarting the daemon.
 *
 * <p>Chunks written by our builder (as by upstream's HEAD) carry a CRC32C, which is always
 * checked; {@code cache.validate} matters for chunks without one, such as the upstream fixture's.
 */
@Tag("privileged")
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class NydusdRegistryFaultTest {
    private static final String REPO = "jnydus/faults";
    private static final int FILES = 200;
    private static final long TIMEOUT_SECS = 1;
    private static final long CONNECT_TIMEOUT_SECS = 1;
    private static final int RETRY_LIMIT = 2;
    /**
     * One failing backend read: every attempt within the timeout (it bounds the whole call,
     * connecting included), and the back-off between them (0.5 s then 1 s, each with up to 0.25 s
     * of jitter).
     */
    private static final long ONE_FAILED_FETCH_MS = (RETRY_LIMIT + 1) * TIMEOUT_SECS * 1000 + 750 + 1250;
    /**
     * The longest a failing read(2) may take: the kernel tries twice (its readahead fails, then it
     * reads the page on its own: two FUSE reads, each a failed fetch, with nydusd as with any FUSE
     * server), plus 5 s of slack for a busy machine.
     */
    private static final long FAILURE_BOUND_MS = 2 * ONE_FAILED_FETCH_MS + 5_000;

    private static Path work;
    private static Path src;
    private static BuiltImage image;

    private RegistryServer registry;
    private NydusdProcess daemon;
    private Path mp;

    @BeforeAll
    static void buildImage() throws Exception {
        Privileged.requireFuse();
        Privileged.requireTool(RegistryServer.BINARY);
        work = Files.createTempDirectory("nydusd-registry-fault-test");
        src = DistinctFiles.generate(work.resolve("src"), FILES, 11);
        // Uncompressed, so that a flipped byte in the blob is a flipped byte of a file, not a
        // decompression error: only the digest check can catch it.
        // Our builder, like upstream's HEAD, gives every chunk a CRC32C.
        image = BuiltImage.build(src, work, "v6", BuildOptions.defaults().withCompressor(Compressor.NONE));
    }

    @AfterAll
    static void cleanUp() throws Exception {
        if (work != null) {
            Privileged.run("rm", "-rf", work.toString());
        }
    }

    @BeforeEach
    void startRegistry() throws Exception {
        registry = RegistryServer.anonymous().start();
        image.pushTo(registry, REPO);
    }

    @AfterEach
    void tearDown() throws Exception {
        try {
            if (daemon != null) {
                daemon.close();
            }
        } finally {
            if (registry != null) {
                registry.close();
            }
        }
    }

    private void mount(String name, boolean validate) throws Exception {
        Path cfg = RegistryMountConfig.of(registry, REPO).network(TIMEOUT_SECS, CONNECT_TIMEOUT_SECS, RETRY_LIMIT)
                .blobcache(work.resolve(name + "-cache")).validate(validate).amplifyIo(0)
                .write(work.resolve(name + ".json"), Format.V2);
        mp = Files.createDirectories(work.resolve(name + "-mnt"));
        daemon = NydusdProcess.mount(work.resolve(name + ".log"), mp, Map.of(), List.of("--mountpoint", mp.toString(),
                "--config", cfg.toString(), "--bootstrap", image.bootstrap().toString(), "--log-level", "info"));
    }

    private static void assertEio(Path file) {
        assertThatThrownBy(() -> Files.readAllBytes(file)).isInstanceOf(IOException.class)
                .hasMessageContaining("Input/output error");
    }

    @Test
    void registryKilledMidReadGivesEioInBoundedTimeAndReadsResumeAfterItRestarts() throws Exception {
        mount("killed", false);
        AtomicInteger next = new AtomicInteger();
        AtomicLong killedAt = new AtomicLong();
        AtomicLong failedAt = new AtomicLong();
        AtomicInteger failedFile = new AtomicInteger(-1);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread reader = new Thread(() -> {
            try {
                while (true) {
                    int i = next.getAndIncrement();
                    try {
                        DistinctFiles.readAndCompare(mp, src, i);
                    } catch (IOException e) {
                        failedAt.set(System.nanoTime());
                        failedFile.set(i);
                        failure.set(e);
                        return;
                    }
                    Thread.sleep(10);
                }
            } catch (Throwable t) {
                failure.set(t);
            }
        }, "mount-reader");
        reader.setDaemon(true);
        reader.start();
        while (next.get() < 20 && reader.isAlive()) {
            Thread.sleep(10);
        }
        killedAt.set(System.nanoTime());
        registry.kill();
        reader.join(60_000);
        assertThat(reader.isAlive()).as("the reader is not stuck").isFalse();
        assertThat(failure.get()).as("what the reader got").isInstanceOf(IOException.class)
                .hasMessageContaining("Input/output error");
        long ms = TimeUnit.NANOSECONDS.toMillis(failedAt.get() - killedAt.get());
        System.out.printf("registry killed: EIO after %d ms (bound %d ms), at file %d%n", ms, FAILURE_BOUND_MS,
                failedFile.get());
        assertThat(ms).as("ms from the kill to EIO").isLessThanOrEqualTo(FAILURE_BOUND_MS);

        long t0 = System.nanoTime();
        assertEio(mp.resolve(DistinctFiles.name(next.get())));
        long again = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        System.out.printf("registry down: a read fails after %d ms%n", again);
        assertThat(again).isLessThanOrEqualTo(FAILURE_BOUND_MS);

        registry.start();
        DistinctFiles.readAndCompare(mp, src, failedFile.get());
        for (int i = next.get(); i < next.get() + 10; i++) {
            DistinctFiles.readAndCompare(mp, src, i);
        }
        assertThat(daemon.isAlive()).isTrue();
        daemon.stop();
    }

    @Test
    void hangingRegistryGivesEioAfterTheTimeoutsAndReadsResumeWhenItAnswers() throws Exception {
        mount("frozen", false);
        for (int i = 0; i < 5; i++) {
            DistinctFiles.readAndCompare(mp, src, i);
        }
        registry.freeze();
        try {
            long t0 = System.nanoTime();
            assertEio(mp.resolve(DistinctFiles.name(5)));
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            System.out.printf("registry hanging: EIO after %d ms (timeout %d s, %d retries, bound %d ms)%n", ms,
                    TIMEOUT_SECS, RETRY_LIMIT, FAILURE_BOUND_MS);
            assertThat(ms).as("every attempt of the fetch waited for its timeout")
                    .isGreaterThanOrEqualTo((RETRY_LIMIT + 1) * TIMEOUT_SECS * 1000 - 100)
                    .isLessThanOrEqualTo(FAILURE_BOUND_MS);
        } finally {
            registry.thaw();
        }
        DistinctFiles.readAndCompare(mp, src, 5);
        DistinctFiles.readAndCompare(mp, src, 6);
        daemon.stop();
    }

    @Test
    void sigtermWhileAReadWaitsOnAHangingRegistryStillStopsTheDaemon() throws Exception {
        mount("frozen-term", false);
        DistinctFiles.readAndCompare(mp, src, 0);
        registry.freeze();
        try {
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread reader = new Thread(() -> {
                try {
                    DistinctFiles.readAndCompare(mp, src, 1);
                } catch (Throwable t) {
                    failure.set(t);
                }
            }, "hung-reader");
            reader.setDaemon(true);
            reader.start();
            Thread.sleep(500);
            long t0 = System.nanoTime();
            daemon.signal("TERM");
            assertThat(daemon.awaitExit(java.time.Duration.ofSeconds(30))).isZero();
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            System.out.printf("SIGTERM with a read waiting on a hanging registry: exit after %d ms%n", ms);
            reader.join(30_000);
            assertThat(reader.isAlive()).as("the reader is not stuck").isFalse();
            assertThat(failure.get()).as("the reader got an error, not data").isInstanceOf(IOException.class);
            assertThat(NydusdProcess.isMounted(mp)).isFalse();
        } finally {
            registry.thaw();
        }
    }

    /** Flips one byte of file {@code i}'s data inside the registry's copy of the image's blob. */
    private long corruptInRegistry(int i) throws IOException {
        byte[] blob = Files.readAllBytes(image.blob());
        byte[] content = Files.readAllBytes(src.resolve(DistinctFiles.name(i)));
        long at = indexOf(blob, Arrays.copyOf(content, 64)) + 1000;
        assertThat(at).as("file data found in the blob").isGreaterThanOrEqualTo(1000);
        flip(registry.blobDataFile(image.blobId()), at);
        return at;
    }

    static void flip(Path file, long offset) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(offset);
            int b = f.read();
            f.seek(offset);
            f.write(b ^ 0x40);
        }
    }

    static long indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /** The fixture's files whose data is the chunk holding the blob's middle byte (deduplicated). */
    private static final Set<String> MIDDLE_CHUNK_FILES = Set.of("/normal-file-test/holefiles/head-hole-1",
            "/normal-file-test/holefiles/head-hole-2", "/normal-file-test/holefiles/head-hole-3");

    /**
     * Mounts the upstream v5 fixture (chunks without CRC) from the registry, its blob holding one
     * flipped byte in the middle, and reads every file.
     */
    private Map<String, String> readFixtureWithACorruptByte(String name, boolean validate) throws Exception {
        String id = registry.pushBlob(REPO, UpstreamFixture.blob());
        assertThat(id).isEqualTo(UpstreamFixture.BLOB_ID);
        flip(registry.blobDataFile(id), Files.size(UpstreamFixture.blob()) / 2);
        Path cfg = RegistryMountConfig.of(registry, REPO).network(TIMEOUT_SECS, CONNECT_TIMEOUT_SECS, RETRY_LIMIT)
                .blobcache(work.resolve(name + "-cache")).validate(validate).amplifyIo(0)
                .write(work.resolve(name + ".json"), Format.V1);
        mp = Files.createDirectories(work.resolve(name + "-mnt"));
        daemon = NydusdProcess.mount(work.resolve(name + ".log"), mp, Map.of(), List.of("--mountpoint", mp.toString(),
                "--config", cfg.toString(), "--bootstrap", UpstreamFixture.bootstrap().toString()));
        return UpstreamFixture.md5sOf(mp);
    }

    /** Files whose md5 differs from the fixture's list, or that failed (see {@link UpstreamFixture#EIO}). */
    private static Map<String, String> differences(Map<String, String> got) throws IOException {
        Map<String, String> want = UpstreamFixture.md5s();
        assertThat(got.keySet()).isEqualTo(want.keySet());
        Map<String, String> bad = new java.util.TreeMap<>();
        got.forEach((k, v) -> {
            if (!v.equals(want.get(k))) {
                bad.put(k, v);
            }
        });
        return bad;
    }

    @Test
    void corruptBytesFromTheRegistryAreEioWithDigestValidationNeverWrongData() throws Exception {
        long before = registry.blobReads();
        Map<String, String> bad = differences(readFixtureWithACorruptByte("corrupt-validate", true));
        assertThat(bad.keySet()).as("the files made of the chunk with the flipped byte fail; all others are right")
                .isEqualTo(MIDDLE_CHUNK_FILES);
        assertThat(bad.values()).containsOnly(UpstreamFixture.EIO);
        assertThat(daemon.log()).contains("digest value doesn't match");
        assertThat(registry.blobReads() - before).as("blob reads").isPositive();

        // The registry heals: the same mount serves the right bytes (bad data was never cached).
        String victim = bad.keySet().iterator().next();
        flip(registry.blobDataFile(UpstreamFixture.BLOB_ID), Files.size(UpstreamFixture.blob()) / 2);
        assertThat(UpstreamFixture.md5(Files.readAllBytes(mp.resolve(victim.substring(1)))))
                .isEqualTo(UpstreamFixture.md5s().get(victim));
        daemon.stop();
    }

    @Test
    void withoutDigestValidationAChunkWithoutCrcIsServedAsFetchedAsUpstreamDoes() throws Exception {
        // The control for the test above: the flipped byte really reaches the reader, so it is the
        // digest check that turns it into EIO there.
        Map<String, String> bad = differences(readFixtureWithACorruptByte("corrupt-novalidate", false));
        assertThat(bad.keySet()).as("files that differ").isEqualTo(MIDDLE_CHUNK_FILES);
        assertThat(bad.values()).doesNotContain(UpstreamFixture.EIO);
        daemon.stop();
    }

    @Test
    void v6ChunksCarryACrcSoCorruptBytesAreEioEvenWithoutDigestValidation() throws Exception {
        int victim = 11;
        long at = corruptInRegistry(victim);
        mount("corrupt-v6-novalidate", false);
        assertEio(mp.resolve(DistinctFiles.name(victim)));
        DistinctFiles.readAndCompare(mp, src, victim + 1);
        flip(registry.blobDataFile(image.blobId()), at);
        DistinctFiles.readAndCompare(mp, src, victim);
        daemon.stop();
    }
}
