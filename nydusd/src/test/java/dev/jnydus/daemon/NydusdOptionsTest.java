package dev.jnydus.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jnydus.testkit.Privileged;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The fuse subcommand's filesystem options beyond the basic mount, against the upstream v5 fixture. */
@Tag("privileged")
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class NydusdOptionsTest {
    private static final String BLOB = UpstreamFixture.BLOB_ID;

    @TempDir
    Path tmp;

    private Path mp;
    private NydusdProcess daemon;

    @BeforeEach
    void setUp() throws Exception {
        Privileged.requireFuse();
        mp = Files.createDirectory(tmp.resolve("mnt"));
    }

    @AfterEach
    void tearDown() throws Exception {
        if (daemon != null) {
            daemon.close();
        }
        assertThat(NydusdProcess.isMounted(mp)).isFalse();
    }

    private void start(String... args) throws Exception {
        daemon = NydusdProcess.start(tmp.resolve("nydusd.log"), mp, args);
        daemon.awaitMounted(Duration.ofSeconds(60));
    }

    @Test
    void virtualMountpointAttachesTheImageBelowPseudoDirectories() throws Exception {
        Path blobs = Files.createDirectory(tmp.resolve("blobs"));
        Files.copy(UpstreamFixture.blob(), blobs.resolve(BLOB));
        start("fuse", "--mountpoint", mp.toString(), "--bootstrap", UpstreamFixture.bootstrap().toString(),
                "--localfs-dir", blobs.toString(), "--virtual-mountpoint", "/images/v5",
                // The API reports --id and --supervisor.
                "--apisock", tmp.resolve("api.sock").toString(), "--id", "daemon-1", "--supervisor",
                tmp.resolve("supervisor.sock").toString(), "--failover-policy", "flush", "--thread-num", "2");
        try (Stream<Path> s = Files.list(mp)) {
            assertThat(s.map(p -> p.getFileName().toString()).toList()).containsExactly("images");
        }
        assertThat(Files.getAttribute(mp.resolve("images"), "unix:mode")).isEqualTo(040777);
        Path image = mp.resolve("images/v5");
        assertThat(UpstreamFixture.md5sOf(image)).isEqualTo(UpstreamFixture.md5s());
        assertThat((Long) Files.getAttribute(image, "unix:ino")).isEqualTo((1L << 56) | 1);
        assertThat(daemon.log()).contains("attached backend 1 at /images/v5");
        Path sock = tmp.resolve("api.sock");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!Files.exists(sock) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        try (dev.jnydus.daemon.ctl.ApiClient api = dev.jnydus.daemon.ctl.ApiClient.connect(sock)) {
            String info = api.get("/api/v1/daemon").body();
            assertThat(info).contains("\"id\":\"daemon-1\"", "\"supervisor\":\"" + tmp.resolve("supervisor.sock") + "\"",
                    "\"/images/v5\":{\"backend_type\":\"Rafs\"");
        }
        daemon.signal("TERM");
        assertThat(daemon.awaitExit(Duration.ofSeconds(30))).isZero();
    }

    @Test
    void prefetchFetchesTheHintedFilesIntoTheBlobCacheAtMount() throws Exception {
        Path blobs = Files.createDirectory(tmp.resolve("blobs"));
        Files.copy(UpstreamFixture.blob(), blobs.resolve(BLOB));
        Path cache = tmp.resolve("cache");
        Path cfg = tmp.resolve("prefetch.json");
        Files.writeString(cfg, "{\"device\":{\"backend\":{\"type\":\"localfs\",\"config\":{\"dir\":\"" + blobs
                + "\"}},\"cache\":{\"type\":\"blobcache\",\"config\":{\"work_dir\":\"" + cache + "\"}}},"
                + "\"mode\":\"direct\",\"fs_prefetch\":{\"enable\":true,\"threads_count\":2,\"prefetch_all\":false}}");
        Path list = tmp.resolve("prefetch.list");
        Files.writeString(list, "\n  /normal-file-test/busybox  \n/hardlink-test/foo\n/not/in/the/image\n");
        start("--mountpoint", mp.toString(), "--bootstrap", UpstreamFixture.bootstrap().toString(), "--config",
                cfg.toString(), "--prefetch-files", list.toString());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!daemon.log().contains("prefetch finished") && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(daemon.log()).contains("prefetch finished", "/not/in/the/image is not in the image");
        // Take the backend's data away (truncated: the daemon's open descriptor sees it too): the
        // hinted files now come from the cache alone, while some others cannot be read any more.
        try (var ch = java.nio.channels.FileChannel.open(blobs.resolve(BLOB), java.nio.file.StandardOpenOption.WRITE)) {
            ch.truncate(0);
        }
        Map<String, String> want = UpstreamFixture.md5s();
        String busybox = "/normal-file-test/busybox/";
        int failed = 0;
        for (Map.Entry<String, String> e : want.entrySet()) {
            Path p = mp.resolve(e.getKey().substring(1));
            if (e.getKey().startsWith(busybox) || e.getKey().equals("/hardlink-test/foo")) {
                byte[] got = Files.readAllBytes(p);
                assertThat(UpstreamFixture.md5(got)).as(e.getKey())
                        .isEqualTo(e.getValue());
            } else {
                try {
                    Files.readAllBytes(p);
                } catch (java.io.IOException ex) {
                    failed++;
                }
            }
        }
        assertThat(failed).as("files that were not prefetched need the (now empty) blob").isPositive();
        daemon.signal("TERM");
        assertThat(daemon.awaitExit(Duration.ofSeconds(30))).isZero();
        assertThat(List.of(cache.toFile().list())).contains(BLOB + ".blob.data");
    }
}
