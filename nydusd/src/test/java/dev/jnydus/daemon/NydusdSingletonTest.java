package dev.jnydus.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jnydus.testkit.Fixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code nydusd singleton} on this machine, whose kernel has no cachefiles: start-up failures are
 * one {@code Error:} line naming what is missing; without {@code --fscache} the singleton binds its
 * entries and serves until SIGTERM. The fscache service itself is exercised in the guest
 * ({@link NydusdFscacheVmTest}).
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class NydusdSingletonTest {
    @TempDir
    Path tmp;

    private String entry(Path bootstrap) {
        Path fixture = Fixtures.dir("upstream-v6-zstd-blake3");
        return "{\"type\":\"bootstrap\",\"id\":\"img\",\"domain_id\":\"dom\",\"config_v2\":{\"version\":2,"
                + "\"backend\":{\"type\":\"localfs\",\"localfs\":{\"dir\":\"" + fixture.resolve("blobs") + "\"}},"
                + "\"cache\":{\"type\":\"fscache\",\"fscache\":{\"work_dir\":\"" + tmp + "\"}},"
                + "\"metadata_path\":\"" + bootstrap + "\"}}";
    }

    @Test
    void aKernelWithoutCachefilesIsNamed() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeFalse(Files.exists(Path.of("/dev/cachefiles")),
                "this kernel has /dev/cachefiles");
        Path log = tmp.resolve("nydusd.log");
        int rc = NydusdProcess.runToExit(log, "singleton", "--fscache", tmp.toString());
        assertThat(rc).isEqualTo(1);
        assertThat(Files.readString(log)).contains("Error: /dev/cachefiles is missing: this kernel has no "
                + "cachefiles (CONFIG_CACHEFILES");
    }

    @Test
    void anEntryThatCannotBeBoundStopsTheStart() throws Exception {
        Path v5 = Fixtures.dir(Fixtures.V5_SHA256_NOCOMPRESS).resolve("bootstrap");
        Path cfg = Files.writeString(tmp.resolve("singleton.json"), "{\"blobs\":[" + entry(v5) + "]}");
        Path log = tmp.resolve("nydusd.log");
        int rc = NydusdProcess.runToExit(log, "singleton", "--config", cfg.toString());
        assertThat(rc).isEqualTo(1);
        assertThat(Files.readString(log)).contains("Error: failed to add blob cache entry dom/img: blob_cache: "
                + "bootstrap " + v5 + " is RAFS v5; fscache mode serves RAFS v6 only");
    }

    @Test
    void withoutFscacheTheSingletonBindsItsEntriesAndStopsOnSigterm() throws Exception {
        Path v6 = Fixtures.dir("upstream-v6-zstd-blake3").resolve("bootstrap");
        Path cfg = Files.writeString(tmp.resolve("singleton.json"), "{\"blobs\":[" + entry(v6) + "]}");
        try (NydusdProcess d = NydusdProcess.start(tmp.resolve("nydusd.log"), null, "singleton", "--config",
                cfg.toString())) {
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (!d.log().contains("(RUNNING)")) {
                assertThat(d.isAlive()).as("nydusd is running:\n%s", d.log()).isTrue();
                assertThat(System.nanoTime()).as("RUNNING within 60 s:\n%s", d.log()).isLessThan(deadline);
                java.util.concurrent.locks.LockSupport.parkNanos(50_000_000);
            }
            assertThat(d.log()).contains("blob_cache: bound dom/img").contains("serving 1 blob cache entries");
            d.signal("TERM");
            assertThat(d.awaitExit(Duration.ofSeconds(30))).isZero();
        }
    }
}
