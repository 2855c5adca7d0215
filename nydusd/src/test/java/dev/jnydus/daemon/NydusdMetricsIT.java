package dev.jnydus.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jnydus.daemon.ctl.ApiClient;
import dev.jnydus.testkit.Privileged;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Metrics tell the truth: a known workload of O_DIRECT reads (each one a FUSE read of a known
 * size) through the packaged daemon, then every figure of the JSON documents and of the
 * Prometheus view compared with what the test counted; the Prometheus text must pass
 * {@code promtool check metrics}.
 */
@Tag("privileged")
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class NydusdMetricsIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int STEP = 16 << 10;
    private static final long INO_MASK = (1L << 56) - 1;

    @TempDir
    Path tmp;

    private Path mp;
    private Path sock;
    private NydusdProcess daemon;

    @BeforeEach
    void setUp() throws IOException {
        Privileged.requireFuse();
        Privileged.requireTool("promtool");
        mp = Files.createDirectory(tmp.resolve("mnt"));
        sock = tmp.resolve("api.sock");
    }

    @AfterEach
    void tearDown() throws Exception {
        if (daemon != null) {
            daemon.close();
        }
        assertThat(NydusdProcess.isMounted(mp)).isFalse();
    }

    /** Upstream's request-size buckets. */
    private static int bucket(long size) {
        long k = size >> 10;
        long[] bounds = {1, 4, 16, 64, 128, 512, 1024};
        for (int i = 0; i < bounds.length; i++) {
            if (k < bounds[i]) {
                return i;
            }
        }
        return 7;
    }

    /** What the test did: reads and bytes per image inode, and the size buckets of the reads. */
    private static final class Workload {
        final Map<Long, Long> readsByIno = new TreeMap<>();
        final Map<Long, Long> bytesByIno = new TreeMap<>();
        final long[] buckets = new long[8];
        long reads;
        long bytes;

        void read(Path file) throws IOException {
            long size = Files.size(file);
            long ino = ((Long) Files.getAttribute(file, "unix:ino", LinkOption.NOFOLLOW_LINKS)) & INO_MASK;
            ByteBuffer buf = ByteBuffer.allocateDirect(STEP + 4096).alignedSlice(4096);
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ,
                    com.sun.nio.file.ExtendedOpenOption.DIRECT)) {
                for (long pos = 0; pos < size; pos += STEP) {
                    buf.clear().limit(STEP);
                    int n = ch.read(buf, pos);
                    long want = Math.min(STEP, size - pos);
                    assertThat((long) n).as("O_DIRECT read of %s at %d", file, pos).isEqualTo(want);
                    reads++;
                    bytes += n;
                    buckets[bucket(n)]++;
                    readsByIno.merge(ino, 1L, Long::sum);
                    bytesByIno.merge(ino, (long) n, Long::sum);
                }
            }
        }
    }

    /** {@code name{labels} value} from a Prometheus text document. */
    private static double sample(String text, String name, String labels) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name + "{" + labels + "}") + " (\\S+)$").matcher(text);
        assertThat(m.find()).as("%s{%s} in\n%s", name, labels, text).isTrue();
        return Double.parseDouble(m.group(1));
    }

    private static void promtool(String text) throws Exception {
        Process p = new ProcessBuilder("promtool", "check", "metrics").redirectErrorStream(true).start();
        p.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as("promtool check metrics:\n" + out + "\n" + text).isZero();
    }

    @Test
    void jsonAndPrometheusFiguresEqualWhatTheTestCounted() throws Exception {
        ImageFixture img = ImageFixture.load(ImageFixture.V5_SHA256);
        Path work = Files.createDirectories(tmp.resolve("cache"));
        daemon = NydusdProcess.startBin(tmp.resolve("nydusd.log"), mp, "fuse", "--thread-num", "2", "--mountpoint",
                mp.toString(), "--apisock", sock.toString(), "--log-level", "info");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!Files.exists(sock, LinkOption.NOFOLLOW_LINKS)) {
            assertThat(daemon.isAlive()).as(daemon.log()).isTrue();
            assertThat(System.nanoTime()).isLessThan(deadline);
            Thread.sleep(20);
        }
        try (ApiClient api = ApiClient.connect(sock)) {
            String body = JSON.createObjectNode().put("fs_type", "rafs").put("source", img.bootstrap().toString())
                    .put("config", img.config(work, "/m")).toString();
            assertThat(api.send("POST", "/api/v1/mount?mountpoint=/m", body).status()).isEqualTo(204);
            assertThat(api.get("/api/v1/metrics/inflight").status()).as("idle: no request in flight").isEqualTo(204);

            Workload w = new Workload();
            for (String f : img.md5s().keySet()) {
                w.read(mp.resolve("m" + f));
            }
            assertThat(w.reads).isPositive();

            // Global document: exactly the counted reads, bytes and size buckets.
            JsonNode g = JSON.readTree(api.get("/api/v1/metrics?id=/m").body());
            assertThat(g.get("id").asText()).isEqualTo("/m");
            assertThat(g.get("files_account_enabled").asBoolean()).isTrue();
            assertThat(g.get("access_pattern_enabled").asBoolean()).isTrue();
            assertThat(g.get("record_latest_read_files_enabled").asBoolean()).isTrue();
            assertThat(g.get("measure_latency").asBoolean()).isTrue();
            assertThat(g.get("fop_hits")).hasSize(15);
            assertThat(g.get("fop_errors")).hasSize(15);
            assertThat(g.get("fop_cumulative_latency_total")).hasSize(15);
            assertThat(g.get("block_count_read")).hasSize(8);
            assertThat(g.get("read_latency_dist")).hasSize(8);
            assertThat(g.get("fop_hits").get(4).asLong()).isEqualTo(w.reads);
            assertThat(g.get("fop_errors").get(4).asLong()).isZero();
            assertThat(g.get("data_read").asLong()).isEqualTo(w.bytes);
            for (int i = 0; i < 8; i++) {
                assertThat(g.get("block_count_read").get(i).asLong()).as("bucket %d", i).isEqualTo(w.buckets[i]);
            }
            long latencies = 0;
            for (JsonNode n : g.get("read_latency_dist")) {
                latencies += n.asLong();
            }
            assertThat(latencies).isEqualTo(w.reads);
            assertThat(JSON.readTree(api.get("/api/v1/metrics").body())).as("the one object without id").isEqualTo(g);
            assertThat(api.get("/api/v1/metrics?id=/nope").status()).isEqualTo(404);

            // Per file, access pattern, latest read files.
            JsonNode files = JSON.readTree(api.get("/api/v1/metrics/files?id=/m").body());
            for (Map.Entry<Long, Long> e : w.bytesByIno.entrySet()) {
                JsonNode f = files.get(Long.toString(e.getKey()));
                assertThat(f).as("file %d", e.getKey()).isNotNull();
                assertThat(f.get("data_read").asLong()).isEqualTo(e.getValue());
                assertThat(f.get("fop_hits").get(4).asLong()).isEqualTo(w.readsByIno.get(e.getKey()));
                assertThat(f.get("block_count_read")).hasSize(8);
            }
            Map<Long, Long> pattern = new HashMap<>();
            for (JsonNode p : JSON.readTree(api.get("/api/v1/metrics/pattern?id=/m").body())) {
                pattern.put(p.get("ino").asLong(), p.get("nr_read").asLong());
                assertThat(p.get("first_access_time_secs").asLong()).isPositive();
                assertThat(p.get("first_access_time_nanos").isIntegralNumber()).isTrue();
            }
            assertThat(pattern).isEqualTo(w.readsByIno);
            Set<Long> latest = new HashSet<>();
            for (JsonNode range : JSON.readTree(api.get("/api/v1/metrics/files?id=/m&latest=true").body())) {
                long a = range.get(0).asLong();
                long b = range.size() > 1 ? range.get(1).asLong() : a;
                for (long i = a; i <= b; i++) {
                    latest.add(i);
                }
            }
            assertThat(latest).isEqualTo(w.readsByIno.keySet());
            assertThat(JSON.readTree(api.get("/api/v1/metrics/files?id=/m&latest=true").body())).as("cleared")
                    .isEmpty();

            // A second pass is served from the blob cache.
            JsonNode cache1 = JSON.readTree(api.get("/api/v1/metrics/blobcache?id=/m").body());
            long firstPassReads = w.reads;
            for (String f : img.md5s().keySet()) {
                w.read(mp.resolve("m" + f));
            }
            long secondPassReads = w.reads - firstPassReads;
            JsonNode cache = JSON.readTree(api.get("/api/v1/metrics/blobcache?id=/m").body());
            assertThat(cache.get("underlying_files").toString()).contains(UpstreamFixture.BLOB_ID + ".blob.data");
            assertThat(cache.get("store_path").asText()).isEqualTo(work.toString());
            long hits = cache.get("whole_hits").asLong() + cache.get("partial_hits").asLong()
                    - cache1.get("whole_hits").asLong() - cache1.get("partial_hits").asLong();
            long requests = cache.get("total").asLong() - cache1.get("total").asLong();
            assertThat(requests).as("every read of the second pass reached the cache").isGreaterThanOrEqualTo(
                    secondPassReads);
            assertThat(hits).as("and was served from it: no miss").isGreaterThanOrEqualTo(requests);
            JsonNode backend = JSON.readTree(api.get("/api/v1/metrics/backend?id=/m").body());
            assertThat(backend.get("backend_type").asText()).isEqualTo("localfs");
            assertThat(backend.get("read_errors").asLong()).isZero();
            assertThat(backend.get("read_count").asLong()).isPositive();
            assertThat(backend.get("read_amount_total").asLong()).isPositive()
                    .isLessThanOrEqualTo(Files.size(UpstreamFixture.blob()));
            assertThat(backend.get("read_latency_sizes_dist")).hasSize(8);
            g = JSON.readTree(api.get("/api/v1/metrics?id=/m").body());
            assertThat(g.get("data_read").asLong()).isEqualTo(w.bytes);

            // The Prometheus view: a valid document with the same figures.
            ApiClient.Response pr = api.get("/api/v1/metrics/prometheus");
            assertThat(pr.status()).isEqualTo(200);
            assertThat(pr.headers().get("content-type")).startsWith("text/plain; version=0.0.4");
            String text = pr.body();
            promtool(text);
            assertThat(sample(text, "nydusd_fs_read_bytes_total", "mountpoint=\"/m\"")).isEqualTo(w.bytes);
            assertThat(sample(text, "nydusd_fs_operations_total", "mountpoint=\"/m\",op=\"read\"")).isEqualTo(w.reads);
            assertThat(sample(text, "nydusd_fuse_request_duration_seconds_count", "op=\"read\""))
                    .isEqualTo(w.reads);
            assertThat(sample(text, "nydusd_blobcache_hits_total", "mountpoint=\"/m\",kind=\"whole\""))
                    .isEqualTo(cache.get("whole_hits").asLong());
            assertThat(sample(text, "nydusd_blobcache_hits_total", "mountpoint=\"/m\",kind=\"partial\""))
                    .isEqualTo(cache.get("partial_hits").asLong());
            assertThat(sample(text, "nydusd_blobcache_requests_total", "mountpoint=\"/m\""))
                    .isEqualTo(cache.get("total").asLong());
            assertThat(sample(text, "nydusd_backend_read_bytes_total", "mountpoint=\"/m\",backend_type=\"localfs\""))
                    .isEqualTo(backend.get("read_amount_total").asLong());
            assertThat(sample(text, "nydusd_backend_read_requests_total",
                    "mountpoint=\"/m\",backend_type=\"localfs\"")).isEqualTo(backend.get("read_count").asLong());
            assertThat(sample(text, "nydusd_blobcache_used_bytes", "mountpoint=\"/m\"")).isPositive();
            assertThat(sample(text, "nydusd_daemon_state", "state=\"RUNNING\"")).isEqualTo(1);
        }
        daemon.stop();
    }
}
