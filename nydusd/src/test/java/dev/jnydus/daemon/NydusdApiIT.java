package dev.jnydus.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jnydus.daemon.ctl.ApiClient;
import dev.jnydus.testkit.Privileged;
import java.io.IOException;
import java.net.URLEncoder;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The API end to end, black-box: the packaged {@code bin/nydusd} started the way
 * nydus-snapshotter starts a shared daemon (subcommand first, its flags), driven over its Unix
 * socket only. Runs after {@code package} (failsafe).
 */
@Tag("privileged")
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class NydusdApiIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private Path mp;
    private Path sock;
    private NydusdProcess daemon;
    private final List<Thread> readers = new ArrayList<>();
    private final AtomicBoolean stopReaders = new AtomicBoolean();
    private final List<String> readFailures = new CopyOnWriteArrayList<>();

    @BeforeEach
    void setUp() throws IOException {
        Privileged.requireFuse();
        mp = Files.createDirectory(tmp.resolve("mnt"));
        sock = tmp.resolve("api.sock");
    }

    @AfterEach
    void tearDown() throws Exception {
        stopReaders.set(true);
        for (Thread t : readers) {
            t.join(30_000);
        }
        if (daemon != null) {
            daemon.close();
        }
        assertThat(NydusdProcess.isMounted(mp)).as("nothing left mounted").isFalse();
    }

    /** {@code nydusd fuse ...} as the snapshotter's shared daemon: no bootstrap, mounts via the API. */
    private ApiClient startShared() throws Exception {
        daemon = NydusdProcess.startBin(tmp.resolve("nydusd.log"), mp, "fuse", "--thread-num", "4", "--mountpoint",
                mp.toString(), "--apisock", sock.toString(), "--log-level", "info", "--log-file",
                tmp.resolve("daemon.log").toString(), "--log-rotation-size", "100", "--failover-policy", "resend");
        return awaitSocket();
    }

    /**
     * The launcher runs the daemon on the build's class-data archive, a static one that takes the
     * place of the JDK's own (docs/sizing.md): it is mapped, the JDK's is not. A class path that
     * no longer matches the archive would make the JVM drop it silently.
     */
    @Test
    void daemonRunsOnTheBuildsClassDataArchive() throws Exception {
        Path archive = NydusdProcess.binDir().getParent().resolve("nydusd/target/jnydus.jsa");
        assertThat(archive).as("the build's archive").exists();
        startShared();
        String maps = Files.readString(Path.of("/proc/" + daemon.pid() + "/maps"));
        assertThat(maps).contains(archive.toRealPath().toString()).doesNotContain("/lib/server/classes.jsa");
    }

    private ApiClient awaitSocket() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!Files.exists(sock, LinkOption.NOFOLLOW_LINKS)) {
            assertThat(daemon.isAlive()).as("nydusd alive\n" + daemon.log() + log()).isTrue();
            assertThat(System.nanoTime()).as("socket within 60 s").isLessThan(deadline);
            Thread.sleep(20);
        }
        return ApiClient.connect(sock);
    }

    private String log() throws IOException {
        Path p = tmp.resolve("daemon.log");
        return Files.exists(p) ? Files.readString(p) : "";
    }

    private static String q(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static JsonNode json(ApiClient.Response r) throws IOException {
        return JSON.readTree(r.body());
    }

    private static void assertError(ApiClient.Response r, int status, String messagePart) throws IOException {
        assertThat(r.status()).as(r.body()).isEqualTo(status);
        JsonNode e = json(r);
        assertThat(e.get("code").asText()).isEqualTo("UNDEFINED");
        assertThat(e.get("message").asText()).contains(messagePart);
        assertThat(r.headers()).containsEntry("content-type", "application/json").containsEntry("server", "Nydus API");
    }

    private String mountBody(ImageFixture img, String id) throws IOException {
        Path work = Files.createDirectories(tmp.resolve("cache-" + id.replace('/', '_')));
        return JSON.createObjectNode().put("fs_type", "rafs").put("source", img.bootstrap().toString())
                .put("config", img.config(work, id)).toString();
    }

    private void mount(ApiClient api, String at, ImageFixture img) throws IOException {
        ApiClient.Response r = api.send("POST", "/api/v1/mount?mountpoint=" + q(at), mountBody(img, at));
        assertThat(r.status()).as(r.body()).isEqualTo(204);
    }

    /** A reader that reads every file of {@code img} under {@code dir} again and again, checking md5s. */
    private AtomicLong startReader(Path dir, ImageFixture img) {
        AtomicLong rounds = new AtomicLong();
        Thread t = new Thread(() -> {
            while (!stopReaders.get()) {
                for (Map.Entry<String, String> f : img.md5s().entrySet()) {
                    Path p = dir.resolve(f.getKey().substring(1));
                    try {
                        String got = UpstreamFixture.md5(Files.readAllBytes(p));
                        if (!got.equals(f.getValue())) {
                            readFailures.add("wrong bytes in " + p);
                        }
                    } catch (IOException e) {
                        readFailures.add(p + ": " + e);
                    }
                }
                rounds.incrementAndGet();
            }
        }, "reader-" + dir.getFileName());
        t.start();
        readers.add(t);
        return rounds;
    }

    private static void awaitRounds(AtomicLong rounds, long atLeast) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (rounds.get() < atLeast && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(rounds.get()).as("reader rounds").isGreaterThanOrEqualTo(atLeast);
    }

    @Test
    void everyEndpointAgainstLiveMounts() throws Exception {
        ImageFixture v5 = ImageFixture.load(ImageFixture.V5_SHA256);
        ImageFixture v6 = ImageFixture.load(ImageFixture.V6_ZSTD);
        try (ApiClient liveness = startShared(); ApiClient api = ApiClient.connect(sock)) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(sock, LinkOption.NOFOLLOW_LINKS)))
                    .isEqualTo("rw-------");

            // Daemon info: RUNNING as soon as the socket exists; the same commit as --version.
            ApiClient.Response r = api.get("/api/v1/daemon");
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.headers()).containsEntry("content-type", "application/json")
                    .containsEntry("server", "Nydus API");
            JsonNode info = json(r);
            assertThat(info.get("state").asText()).isEqualTo("RUNNING");
            assertThat(info.get("id").isNull()).isTrue();
            assertThat(info.get("supervisor").isNull()).isTrue();
            assertThat(info.get("fs_driver").asText()).isEqualTo("fusedev");
            assertThat(info.at("/kernel_features/fusedev/available").asBoolean()).isTrue();
            assertThat(info.at("/kernel_features/fscache/available").isBoolean()).isTrue();
            for (String f : new String[] {"package_ver", "git_commit", "build_time", "profile", "rustc"}) {
                assertThat(info.get("version").get(f).isTextual()).as(f).isTrue();
            }
            String version = Privileged.run(NydusdProcess.binDir().resolve("nydusd").toString(), "--version");
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("Git Commit:\\s*(.+)").matcher(version);
            assertThat(m.find()).isTrue();
            assertThat(info.get("version").get("git_commit").asText()).isEqualTo(m.group(1).trim())
                    .matches("[0-9a-f]{40}");
            assertThat(info.get("backend_collection").isObject()).isTrue();

            // Mounts: two images; errors for a taken, an unknown and a missing mountpoint.
            mount(api, "/a", v5);
            mount(api, "/b", v6);
            assertError(api.send("POST", "/api/v1/mount?mountpoint=/a", mountBody(v5, "/a")), 500, "already exists");
            assertError(api.send("DELETE", "/api/v1/mount?mountpoint=/nope", null), 500, "doesn't exist");
            assertError(api.send("PUT", "/api/v1/mount?mountpoint=/nope", mountBody(v5, "/nope")), 500,
                    "doesn't exist");
            assertError(api.send("DELETE", "/api/v1/mount", null), 400, "QueryString");
            assertError(api.send("POST", "/api/v1/mount?mountpoint=/x", "{\"source\":\"/no/such/bootstrap\","
                    + "\"fs_type\":\"rafs\",\"config\":" + JSON.writeValueAsString(v5.config(tmp, "/x")) + "}"), 500,
                    "/no/such/bootstrap");
            assertError(api.send("POST", "/api/v1/mount?mountpoint=/x", "{\"source\":\"s\",\"fs_type\":\"ext4\","
                    + "\"config\":\"{}\"}"), 500, "ext4");
            assertError(api.send("POST", "/api/v1/mount?mountpoint=/x", "{\"fs_type\":\"rafs\"}"), 400,
                    "missing field `source`");
            for (Map.Entry<String, String> f : v6.md5s().entrySet()) {
                assertThat(UpstreamFixture.md5(Files.readAllBytes(mp.resolve("b" + f.getKey()))))
                        .isEqualTo(f.getValue());
            }
            info = json(api.get("/api/v1/daemon"));
            JsonNode a = info.get("backend_collection").get("/a");
            assertThat(a.get("backend_type").asText()).isEqualTo("Rafs");
            assertThat(a.get("mountpoint").asText()).isEqualTo("/a");
            assertThat(a.get("mounted_time").isTextual()).isTrue();
            assertThat(a.get("config").get("version").asInt()).isEqualTo(2);
            assertThat(a.get("config").get("backend").get("type").asText()).isEqualTo("localfs");
            assertThat(info.get("backend_collection").has("/b")).isTrue();
            JsonNode v2 = json(api.get("/api/v2/daemon"));
            assertThat(v2.get("state").asText()).isEqualTo("RUNNING");
            assertThat(v2.get("backend_collection").isNull()).isTrue();

            // Backend (superblock) info.
            JsonNode sb = json(api.get("/api/v1/daemon/backend?mountpoint=" + q("/b")));
            assertThat(sb.get("version").asInt()).isEqualTo(0x600);
            assertThat(sb.get("inodes_count").asLong()).isPositive();
            assertError(api.get("/api/v1/daemon/backend"), 400, "QueryString");
            assertError(api.get("/api/v1/daemon/backend?mountpoint=/nope"), 500, "doesn't exist");

            // Log level at run time; bad levels and bodies.
            assertThat(api.send("PUT", "/api/v1/daemon", "{\"log_level\":\"debug\"}").status()).isEqualTo(204);
            assertThat(api.send("PUT", "/api/v2/daemon", "{\"log_level\":\"info\"}").status()).isEqualTo(204);
            assertError(api.send("PUT", "/api/v1/daemon", "{\"log_level\":\"loud\"}"), 500, "ResponsePayloadType");
            assertError(api.send("PUT", "/api/v1/daemon", "{\"log_level\":"), 400, "ParseBody");
            assertError(api.send("PUT", "/api/v1/daemon", null), 400, "BadRequest");

            // Events: the ring of error lines, with upstream's fields.
            JsonNode ev = json(api.get("/api/v1/daemon/events"));
            assertThat(ev.get("max_errors").asInt()).isEqualTo(500);
            assertThat(ev.get("max_size").asInt()).isEqualTo(51200);
            assertThat(ev.get("total_errors").isInt()).isTrue();
            assertThat(ev.get("errors").isArray()).isTrue();
            assertThat(ev.get("errors").size()).isEqualTo(ev.get("total_errors").asInt());

            // State machine events that the RUNNING state refuses; hot upgrade without a supervisor.
            assertError(api.send("PUT", "/api/v1/daemon/start", null), 400, "UnexpectedEvent");
            assertError(api.send("PUT", "/api/v1/daemon/fuse/takeover", null), 400, "UnexpectedEvent");
            assertError(api.send("PUT", "/api/v1/daemon/fuse/sendfd", null), 501, "supervisor");
            assertError(api.send("PUT", "/api/v1/daemon/start", "{}"), 400, "BadRequest");

            // Run-time configuration keys.
            assertThat(api.send("PUT", "/api/v1/config?id=" + q("/a"), "{\"proxy_url\":\"http://127.0.0.1:1\"}")
                    .status()).isEqualTo(204);
            assertThat(json(api.get("/api/v1/config?id=" + q("/a"))).get("proxy_url").asText())
                    .isEqualTo("http://127.0.0.1:1");
            assertThat(json(api.get("/api/v1/config")).get("/a:proxy_url").asText()).isEqualTo("http://127.0.0.1:1");
            assertError(api.send("PUT", "/api/v1/config", "{\"colour\":\"blue\"}"), 500, "colour");

            // Blob cache manager endpoints on a FUSE daemon.
            assertError(api.send("PUT", "/api/v2/blobs", "{\"type\":\"bootstrap\",\"id\":\"x\"}"), 501, "Unsupported");
            assertThat(api.send("DELETE", "/api/v2/blobs?blob_id=x", null).status()).isEqualTo(204);
            assertError(api.send("DELETE", "/api/v2/blobs", null), 400, "BadRequest");

            // Unknown path, wrong method, query ignored by routing, no trailing-slash tolerance.
            assertError(api.get("/api/v1/nothing"), 404, "NoRoute");
            assertError(api.get("/api/v1/daemon/"), 404, "NoRoute");
            assertError(api.send("DELETE", "/api/v1/daemon", null), 400, "BadRequest");
            assertError(api.send("POST", "/api/v1/metrics", null), 400, "BadRequest");
            assertThat(api.get("/api/v1/daemon?whatever=1").status()).isEqualTo(200);

            // Remount /b with a new configuration; unmount /a.
            r = api.send("PUT", "/api/v1/mount?mountpoint=" + q("/b"), mountBody(v6, "/b2"));
            assertThat(r.status()).as(r.body()).isEqualTo(204);
            for (Map.Entry<String, String> f : v6.md5s().entrySet()) {
                assertThat(UpstreamFixture.md5(Files.readAllBytes(mp.resolve("b" + f.getKey()))))
                        .isEqualTo(f.getValue());
            }
            assertThat(api.send("DELETE", "/api/v1/mount?mountpoint=" + q("/a"), null).status()).isEqualTo(204);
            assertThat(json(api.get("/api/v1/daemon")).get("backend_collection").has("/a")).isFalse();
            assertThat(Files.exists(mp.resolve("a/hardlink-test"))).isFalse();

            // The liveness connection, idle all along, is still open and still answers.
            assertThat(liveness.get("/api/v1/daemon").status()).isEqualTo(200);

            // nydusctl, the operators' client, over the same socket.
            String ctl = NydusdProcess.binDir().resolve("nydusctl").toString();
            String shown = Privileged.run(ctl, "--sock", sock.toString(), "info");
            assertThat(shown).contains("State:       RUNNING").contains(m.group(1).trim()).contains("/b");
            assertThat(Privileged.run(ctl, "--sock", sock.toString(), "mounts")).contains("/b").contains("localfs");
            assertThat(Privileged.run(ctl, "--sock", sock.toString(), "set", "log-level", "warn"))
                    .contains("log level set to warn");
            assertThat(Privileged.run(ctl, "--sock", sock.toString(), "metrics", "--prometheus"))
                    .contains("nydusd_daemon_state{state=\"RUNNING\"} 1");
            Process bad = new ProcessBuilder(ctl, "--sock", sock.toString(), "set", "log-level", "loud")
                    .redirectErrorStream(true).start();
            String badOut = new String(bad.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(bad.waitFor()).isEqualTo(1);
            assertThat(badOut).startsWith("Error: HTTP 500: Configure(ResponsePayloadType(");
        }
        daemon.stop();
        assertThat(Files.exists(sock, LinkOption.NOFOLLOW_LINKS)).as("socket removed at exit").isFalse();
    }

    @Test
    void sharedModeMountsRemountsAndUnmountsWhileOthersAreRead() throws Exception {
        ImageFixture[] images = {ImageFixture.load(ImageFixture.V5_SHA256), ImageFixture.load(ImageFixture.V5_BLAKE3),
            ImageFixture.load(ImageFixture.V6_ZSTD)};
        String[] at = {"/img0", "/img1", "/img2"};
        try (ApiClient api = startShared()) {
            for (int i = 0; i < 3; i++) {
                mount(api, at[i], images[i]);
            }
            for (int busy = 0; busy < 3; busy++) {
                // Readers on the two others, while the third is remounted, unmounted and mounted again.
                stopReaders.set(false);
                List<AtomicLong> rounds = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    if (i != busy) {
                        rounds.add(startReader(mp.resolve(at[i].substring(1)), images[i]));
                    }
                }
                for (AtomicLong r : rounds) {
                    awaitRounds(r, 1);
                }
                for (int cycle = 0; cycle < 3; cycle++) {
                    ApiClient.Response r = api.send("PUT", "/api/v1/mount?mountpoint=" + q(at[busy]),
                            mountBody(images[busy], at[busy]));
                    assertThat(r.status()).as(r.body()).isEqualTo(204);
                    r = api.send("DELETE", "/api/v1/mount?mountpoint=" + q(at[busy]), null);
                    assertThat(r.status()).as(r.body()).isEqualTo(204);
                    mount(api, at[busy], images[busy]);
                }
                long[] before = rounds.stream().mapToLong(AtomicLong::get).toArray();
                for (int i = 0; i < rounds.size(); i++) {
                    awaitRounds(rounds.get(i), before[i] + 2);
                }
                stopReaders.set(true);
                for (Thread t : readers) {
                    t.join(30_000);
                }
                readers.clear();
                // The remounted image reads back right too.
                for (Map.Entry<String, String> f : images[busy].md5s().entrySet()) {
                    Path p = mp.resolve(at[busy].substring(1) + f.getKey());
                    assertThat(UpstreamFixture.md5(Files.readAllBytes(p))).as(p.toString()).isEqualTo(f.getValue());
                }
            }
            assertThat(readFailures).as("reads of the other images").isEmpty();
            assertThat(json(api.get("/api/v1/daemon")).get("backend_collection").size()).isEqualTo(3);
        }
        daemon.stop();
    }

    @Test
    void badInputNeverHurtsReads() throws Exception {
        ImageFixture img = ImageFixture.load(ImageFixture.V5_SHA256);
        try (ApiClient api = startShared()) {
            mount(api, "/img", img);
            AtomicLong rounds = startReader(mp.resolve("img"), img);
            awaitRounds(rounds, 1);

            // 1,000 idle connections, held open through everything below.
            List<SocketChannel> idle = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                idle.add(SocketChannel.open(UnixDomainSocketAddress.of(sock)));
            }
            // A body over 1 MiB: refused with a JSON error, the connection closed.
            try (ApiClient big = ApiClient.connect(sock)) {
                String body = "{\"log_level\":\"" + "x".repeat((1 << 20) + 10) + "\"}";
                ApiClient.Response r = big.send("PUT", "/api/v1/daemon", body);
                assertError(r, 413, "PayloadTooLarge");
            } catch (IOException e) {
                // The daemon may close before the whole body is written: also a refusal.
                assertThat(e.getMessage()).isNotNull();
            }
            // Malformed and deeply nested JSON.
            assertError(api.send("PUT", "/api/v1/daemon", "[".repeat(100_000)), 400, "ParseBody");
            assertError(api.send("PUT", "/api/v1/daemon", "{\"log_level\": 7}"), 400, "ParseBody");
            assertError(api.send("POST", "/api/v1/mount?mountpoint=/y", "\u0000\u0001garbage"), 400, "ParseBody");
            // Not HTTP at all.
            try (ApiClient junk = ApiClient.connect(sock)) {
                junk.writeRaw("\u0016\u0003\u0001 this is not http\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                ApiClient.Response r = junk.read();
                assertThat(r.status()).isEqualTo(400);
            }
            // Clients that disconnect mid-request (headers, then half a body).
            for (int i = 0; i < 50; i++) {
                try (ApiClient half = ApiClient.connect(sock)) {
                    half.writeRaw(("PUT /api/v1/daemon HTTP/1.1\r\nContent-Length: 100\r\n\r\n{\"log_")
                            .getBytes(StandardCharsets.US_ASCII));
                }
                try (SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(sock))) {
                    c.write(ByteBuffer.wrap("GET /api/v1/dae".getBytes(StandardCharsets.US_ASCII)));
                }
            }
            // A client trickling one byte a second: others are served meanwhile.
            byte[] slow = "GET /api/v1/daemon HTTP/1.1\r\nHost: u\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
            try (ApiClient trickle = ApiClient.connect(sock)) {
                for (int i = 0; i < 5; i++) {
                    trickle.writeRaw(new byte[] {slow[i]});
                    assertThat(api.get("/api/v1/daemon").status()).isEqualTo(200);
                    Thread.sleep(1000);
                }
                trickle.writeRaw(java.util.Arrays.copyOfRange(slow, 5, slow.length));
                assertThat(trickle.read().status()).isEqualTo(200);
            }
            long before = rounds.get();
            awaitRounds(rounds, before + 2);
            assertThat(api.get("/api/v1/daemon").status()).isEqualTo(200);
            for (SocketChannel c : idle) {
                assertThat(c.isOpen()).isTrue();
                c.configureBlocking(false);
                assertThat(c.read(ByteBuffer.allocate(16))).as("idle connection not closed by the daemon").isZero();
                c.close();
            }
            assertThat(readFailures).isEmpty();
        }
        daemon.stop();
    }

    @Test
    void exitStopsServingAndLeavesTheMountToASuccessor() throws Exception {
        ImageFixture v5 = ImageFixture.load(ImageFixture.V5_SHA256);
        Path cfg = tmp.resolve("config.json");
        Files.writeString(cfg, v5.config(Files.createDirectories(tmp.resolve("cache")), "/"));
        daemon = NydusdProcess.startBin(tmp.resolve("nydusd.log"), mp, "fuse", "--thread-num", "2", "--config",
                cfg.toString(), "--bootstrap", v5.bootstrap().toString(), "--mountpoint", mp.toString(), "--apisock",
                sock.toString(), "--log-level", "info");
        try (ApiClient api = awaitSocket()) {
            JsonNode info = json(api.get("/api/v1/daemon"));
            assertThat(info.get("state").asText()).isEqualTo("RUNNING");
            assertThat(info.get("backend_collection").get("/").get("backend_type").asText()).isEqualTo("Rafs");
            ApiClient.Response r = api.send("PUT", "/api/v1/daemon/exit", null);
            assertThat(r.status()).as(r.body()).isEqualTo(204);
        }
        assertThat(daemon.awaitExit(Duration.ofSeconds(30))).isZero();
        assertThat(daemon.log()).contains("left the FUSE mount at");
        assertThat(NydusdProcess.isMounted(mp)).as("the mount is left for a successor").isTrue();
        assertThat(Files.exists(sock, LinkOption.NOFOLLOW_LINKS)).as("socket removed").isFalse();
    }

    @Test
    void singletonHostsTheBlobCacheManager() throws Exception {
        ImageFixture v6 = ImageFixture.load(ImageFixture.V6_ZSTD);
        Path work = Files.createDirectories(tmp.resolve("fscache-work"));
        daemon = NydusdProcess.startBin(tmp.resolve("nydusd.log"), null, "singleton", "--apisock", sock.toString(),
                "--log-level", "info");
        try (ApiClient api = awaitSocket()) {
            JsonNode info = json(api.get("/api/v1/daemon"));
            assertThat(info.get("state").asText()).isEqualTo("RUNNING");
            assertThat(info.get("backend_collection").isNull()).isTrue();
            String entry = JSON.createObjectNode().put("type", "bootstrap").put("id", "snap1").put("domain_id", "dom")
                    .set("config_v2", JSON.readTree("{\"version\":2,\"id\":\"snap1\",\"backend\":{\"type\":\"localfs\","
                            + "\"localfs\":{\"dir\":\"" + v6.blobs() + "\"}},\"cache\":{\"type\":\"fscache\","
                            + "\"fscache\":{\"work_dir\":\"" + work + "\"}},\"metadata_path\":\"" + v6.bootstrap()
                            + "\"}")).toString();
            ApiClient.Response r = api.send("PUT", "/api/v2/blobs", entry);
            assertThat(r.status()).as(r.body()).isEqualTo(204);
            assertError(api.send("PUT", "/api/v2/blobs", entry), 500, "blob_cache: bootstrap blob already exists");
            assertError(api.send("PUT", "/api/v2/blobs", "{\"type\":\"bootstrap\",\"id\":\"x\"}"), 400, "BadRequest");
            assertError(api.send("DELETE", "/api/v2/blobs?domain_id=dom&blob_id=other", null), 500,
                    "blob_cache: cache entry not found");
            assertThat(api.send("DELETE", "/api/v2/blobs?domain_id=dom&blob_id=snap1", null).status()).isEqualTo(204);
            assertError(api.send("DELETE", "/api/v2/blobs?domain_id=dom&blob_id=snap1", null), 500,
                    "blob_cache: cache entry not found");
            assertThat(api.send("DELETE", "/api/v2/blobs?domain_id=dom", null).status()).isEqualTo(204);
            assertError(api.send("DELETE", "/api/v2/blobs?blob_id=snap1", null), 501, "Unsupported");
            assertError(api.get("/api/v2/blobs?domain_id=dom"), 501, "Unsupported");
            assertError(api.send("POST", "/api/v1/mount?mountpoint=/a", mountBody(v6, "/a")), 501, "Unsupported");
            assertError(api.get("/api/v1/metrics/inflight"), 501, "Unsupported");
            assertThat(api.send("PUT", "/api/v1/daemon/fuse/sendfd", null).status()).isEqualTo(204);
        }
        daemon.signal("TERM");
        assertThat(daemon.awaitExit(Duration.ofSeconds(30))).isZero();
        assertThat(Files.exists(sock, LinkOption.NOFOLLOW_LINKS)).isFalse();
    }
}
