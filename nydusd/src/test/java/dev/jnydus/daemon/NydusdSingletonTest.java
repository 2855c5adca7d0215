package dev.jnydus.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jnydus.daemon.ctl.ApiClient;
import dev.jnydus.testkit.Fixtures;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code nydusd singleton} on this machine, whose kernel has no cachefiles: start-up failures are
 * one {@code Error:} line naming what is missing; without {@code --fscache} the singleton binds its
 * entries, serves the API (blob cache entries bound and unbound as the snapshotter does, their
 * metrics) and stops on SIGTERM or {@code PUT /api/v1/daemon/exit}. The fscache service itself is
 * exercised in the guest ({@link NydusdFscacheVmTest}).
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class NydusdSingletonTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private String entry(Path bootstrap) {
        return entry("img", bootstrap);
    }

    private String entry(String id, Path bootstrap) {
        Path fixture = Fixtures.dir("upstream-v6-zstd-blake3");
        return "{\"type\":\"bootstrap\",\"id\":\"" + id + "\",\"domain_id\":\"dom\",\"config_v2\":{\"version\":2,"
                + "\"id\":\"" + id + "\","
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

    @Test
    void theApiBindsAndUnbindsEntriesAndAnswersTheirMetrics() throws Exception {
        Path v6 = Fixtures.dir("upstream-v6-zstd-blake3").resolve("bootstrap");
        Path sock = tmp.resolve("api.sock");
        try (NydusdProcess d = NydusdProcess.start(tmp.resolve("nydusd.log"), null, "singleton", "--apisock",
                sock.toString(), "--log-level", "info")) {
            try (ApiClient api = awaitSocket(d, sock)) {
                JsonNode info = json(api.get("/api/v1/daemon"), 200);
                assertThat(info.get("state").asText()).isEqualTo("RUNNING");
                assertThat(info.get("version").get("git_commit").asText()).isNotEmpty();
                assertThat(info.get("backend_collection").isNull()).isTrue();
                // This machine's kernel has FUSE and no /dev/cachefiles: the probe says so by name.
                assertThat(info.at("/kernel_features/fusedev/available").asBoolean()).isTrue();
                assertThat(info.at("/kernel_features/fscache/available").asBoolean()).isEqualTo(
                        Files.exists(Path.of("/dev/cachefiles")));
                assertThat(api.get("/api/v1/metrics/blobcache").status()).as("nothing bound").isEqualTo(404);

                assertThat(api.send("PUT", "/api/v2/blobs", entry("snap1", v6)).status()).isEqualTo(204);
                // Upstream registers an entry's metrics under its config id; the snapshotter asks
                // for /<id> (spec 3.6, 8); without an id, the only one.
                for (String q : new String[] {"?id=snap1", "?id=/snap1", ""}) {
                    JsonNode m = json(api.get("/api/v1/metrics/blobcache" + q), 200);
                    assertThat(m.get("store_path").asText()).as(q).isEqualTo(tmp.toString());
                    assertThat(m.get("underlying_files").isArray()).isTrue();
                    assertThat(m.get("total").asLong()).isZero();
                }
                JsonNode backend = json(api.get("/api/v1/metrics/backend?id=/snap1"), 200);
                assertThat(backend.get("backend_type").asText()).isEqualTo("localfs");
                assertThat(backend.get("read_latency_sizes_dist")).hasSize(8);
                assertThat(api.get("/api/v1/metrics/blobcache?id=/other").status()).isEqualTo(404);

                assertThat(api.send("PUT", "/api/v2/blobs", entry("snap2", v6)).status()).isEqualTo(204);
                assertThat(api.get("/api/v1/metrics/blobcache").status()).as("two entries, no id").isEqualTo(404);
                assertThat(api.get("/api/v1/metrics/blobcache?id=/snap2").status()).isEqualTo(200);
                ApiClient.Response prom = api.get("/api/v1/metrics/prometheus");
                assertThat(prom.body()).contains("nydusd_daemon_state{state=\"RUNNING\"} 1",
                        "nydusd_blobcache_requests_total{entry=\"dom/snap1\"} 0",
                        "nydusd_backend_read_requests_total{entry=\"dom/snap2\",backend_type=\"localfs\"} 0");

                assertThat(api.send("DELETE", "/api/v2/blobs?domain_id=dom&blob_id=snap1", null).status()).isEqualTo(204);
                assertError(api.send("DELETE", "/api/v2/blobs?domain_id=dom&blob_id=snap1", null), 500,
                        "blob_cache: cache entry not found");
                assertThat(api.get("/api/v1/metrics/blobcache?id=/snap1").status()).isEqualTo(404);
                assertError(api.send("DELETE", "/api/v2/blobs?blob_id=snap2", null), 501, "without --fscache");
                assertThat(api.send("DELETE", "/api/v2/blobs?domain_id=dom", null).status()).isEqualTo(204);
                assertThat(api.get("/api/v1/metrics/blobcache?id=/snap2").status()).isEqualTo(404);
                assertThat(api.send("PUT", "/api/v1/daemon/exit", null).status()).isEqualTo(204);
            }
            assertThat(d.awaitExit(Duration.ofSeconds(30))).isZero();
            assertThat(d.log()).contains("blob_cache: unbound dom/snap1", "blob_cache: unbound domain dom: [dom/snap2]");
            assertThat(Files.exists(sock, LinkOption.NOFOLLOW_LINKS)).as("socket removed").isFalse();
        }
    }

    private static ApiClient awaitSocket(NydusdProcess d, Path sock) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!Files.exists(sock, LinkOption.NOFOLLOW_LINKS)) {
            assertThat(d.isAlive()).as("nydusd is running:\n%s", d.log()).isTrue();
            assertThat(System.nanoTime()).as("API socket within 60 s:\n%s", d.log()).isLessThan(deadline);
            java.util.concurrent.locks.LockSupport.parkNanos(20_000_000);
        }
        return ApiClient.connect(sock);
    }

    private static JsonNode json(ApiClient.Response r, int status) throws Exception {
        assertThat(r.status()).as(r.body()).isEqualTo(status);
        return JSON.readTree(r.body());
    }

    private static void assertError(ApiClient.Response r, int status, String messagePart) throws Exception {
        JsonNode e = json(r, status);
        assertThat(e.get("code").asText()).isEqualTo("UNDEFINED");
        assertThat(e.get("message").asText()).contains(messagePart);
    }
}
