package dev.jnydus.testkit.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jnydus.backend.BackendEnvironment;
import dev.jnydus.backend.BackendException;
import dev.jnydus.backend.BackendFactory;
import dev.jnydus.backend.BlobReader;
import dev.jnydus.backend.options.MirrorOptions;
import dev.jnydus.backend.options.NetworkOptions;
import dev.jnydus.backend.options.ProxyOptions;
import dev.jnydus.backend.options.RegistryOptions;
import dev.jnydus.backend.registry.RegistryBackend;
import dev.jnydus.testkit.Fixtures;
import dev.jnydus.testkit.Privileged;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Reads through nginx as a registry mirror (the legacy {@code mirrors} list) and as a forward
 * proxy standing in for dfdaemon (the {@code proxy} section): nginx stopped mid-run must cost the
 * reader nothing, and reads must return to nginx once it is back and passes health checks.
 */
class DragonflyRoutingRealServerTest {
    static final String REPO = "jnydus/fixture";
    static final String BLOB_ID = RegistryBackendRealServerTest.BLOB_ID;
    static final String HEADER = "X-Dragonfly-Registry";

    private ScheduledExecutorService scheduler;
    private BackendEnvironment env;
    private byte[] blob;
    private final Random rnd = new Random(9);

    @BeforeEach
    void setUp() throws Exception {
        Privileged.requireTool(RegistryServer.BINARY);
        Privileged.requireTool(NginxMirror.BINARY);
        blob = Files.readAllBytes(Fixtures.dir(Fixtures.V5_SHA256_NOCOMPRESS).resolve("blobs").resolve(BLOB_ID));
        scheduler = Executors.newScheduledThreadPool(2);
        env = BackendEnvironment.system(scheduler).withEnv(Map.of());
    }

    @AfterEach
    void tearDown() {
        if (scheduler != null) {
            scheduler.shutdownNow();
        }
    }

    /** A few random ranges, each compared with the file; any error fails the test. */
    private void readSome(BlobReader r, int n) throws Exception {
        for (int i = 0; i < n; i++) {
            long off = rnd.nextInt(blob.length - 70_000);
            int len = 1 + rnd.nextInt(65_536);
            assertThat(r.read(off, len)).isEqualTo(Arrays.copyOfRange(blob, (int) off, (int) off + len));
        }
    }

    private static void await(BooleanSupplier condition, Duration timeout, String what) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(20);
        }
    }

    private static int status(String url, Map<String, String> headers) throws Exception {
        HttpClient c = HttpClient.newBuilder().proxy(HttpClient.Builder.NO_PROXY).build();
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5));
        headers.forEach(b::header);
        return c.send(b.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    @Test
    void readsGoThroughTheMirrorSurviveItsDeathAndReturnAfterItRecovers() throws Exception {
        try (RegistryServer reg = RegistryServer.anonymous().start();
                NginxMirror mirror = NginxMirror.mirrorOf(reg, HEADER, "http://" + reg.hostPort()).start()) {
            reg.pushBlob(REPO, blob);
            String blobUrl = mirror.url() + "/v2/" + REPO + "/blobs/sha256:" + BLOB_ID;
            assertThat(status(blobUrl, Map.of())).as("mirror without the header").isEqualTo(403);
            assertThat(status(blobUrl, Map.of(HEADER, "http://" + reg.hostPort()))).isEqualTo(200);

            MirrorOptions mo = new MirrorOptions(mirror.url(), "", Map.of(HEADER, "http://" + reg.hostPort()), false,
                    Duration.ofMillis(200), 2, null);
            RegistryOptions o = RegistryOptions.of("http", reg.hostPort(), REPO).withNetwork(NetworkOptions.defaults()
                    .withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(1)).withMirrors(List.of(mo)));
            try (RegistryBackend b = (RegistryBackend) BackendFactory.create("registry", o, env)) {
                BlobReader r = b.open(BLOB_ID);
                long before = mirror.blobReads();
                readSome(r, 10);
                // The first read settles auth at the origin; the rest go through the mirror.
                assertThat(AccessCounts.settled(() -> mirror.blobReads() - before)).isGreaterThanOrEqualTo(9);

                mirror.stop();
                readSome(r, 10);
                assertThat(b.http().mirrorsEnabled()).containsExactly(false);

                long whileDown = mirror.blobReads();
                mirror.start();
                await(() -> b.http().mirrorsEnabled().equals(List.of(true)), Duration.ofSeconds(10),
                        "the mirror to pass a health check");
                readSome(r, 10);
                assertThat(AccessCounts.settled(() -> mirror.blobReads() - whileDown)).isEqualTo(10);
                assertThat(b.metrics().orElseThrow().snapshot().readErrors()).isZero();
            }
        }
    }

    @Test
    void readsGoThroughTheDragonflyProxyFallBackWhileItIsDownAndReturn() throws Exception {
        try (RegistryServer reg = RegistryServer.anonymous().start();
                NginxMirror proxy = NginxMirror.forwardProxy("X-Dragonfly-Use-P2P").start()) {
            reg.pushBlob(REPO, blob);
            ProxyOptions po = ProxyOptions.of(proxy.url()).withPing(proxy.pingUrl(), Duration.ofMillis(200));
            RegistryOptions o = RegistryOptions.of("http", reg.hostPort(), REPO).withNetwork(NetworkOptions.defaults()
                    .withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(1)).withProxy(po));
            try (RegistryBackend b = (RegistryBackend) BackendFactory.create("registry", o, env)) {
                BlobReader r = b.open(BLOB_ID);
                readSome(r, 10);
                assertThat(AccessCounts.settled(proxy::blobReads)).isEqualTo(10);
                assertThat(proxy.accessLog()).anyMatch(l -> l.contains("\"GET http://" + reg.hostPort() + "/v2/"));

                proxy.stop();
                readSome(r, 10);
                await(() -> !b.http().proxyHealthy(), Duration.ofSeconds(10), "the proxy to be marked unhealthy");
                readSome(r, 5);

                proxy.start();
                await(() -> b.http().proxyHealthy(), Duration.ofSeconds(10), "the proxy to be healthy again");
                long before = proxy.blobReads();
                readSome(r, 10);
                assertThat(AccessCounts.settled(() -> proxy.blobReads() - before)).isEqualTo(10);
                assertThat(b.metrics().orElseThrow().snapshot().readErrors()).isZero();
            }
        }
    }

    @Test
    void withoutFallbackAnUnhealthyProxyIsAnError() throws Exception {
        try (RegistryServer reg = RegistryServer.anonymous().start();
                NginxMirror proxy = NginxMirror.forwardProxy(null).start()) {
            reg.pushBlob(REPO, blob);
            ProxyOptions po = ProxyOptions.of(proxy.url()).withPing(proxy.pingUrl(), Duration.ofMillis(200))
                    .withFallback(false);
            RegistryOptions o = RegistryOptions.of("http", reg.hostPort(), REPO).withNetwork(NetworkOptions.defaults()
                    .withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(1)).withProxy(po));
            try (RegistryBackend b = (RegistryBackend) BackendFactory.create("registry", o, env)) {
                BlobReader r = b.open(BLOB_ID);
                readSome(r, 2);
                proxy.stop();
                await(() -> !b.http().proxyHealthy(), Duration.ofSeconds(10), "the proxy to be marked unhealthy");
                assertThatThrownBy(() -> r.read(0, 100)).isInstanceOf(BackendException.class)
                        .hasMessageContaining("proxy is not healthy and fallback is disabled");
            }
        }
    }

    @Test
    void nginxLeavesNoProcessOrDirectoryBehind() throws Exception {
        long pid;
        Path dir;
        try (NginxMirror proxy = NginxMirror.forwardProxy(null).start()) {
            pid = proxy.pid();
            dir = proxy.directory();
            assertThat(status(proxy.pingUrl(), Map.of())).isEqualTo(200);
        }
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
        assertThat(dir).doesNotExist();
        assertThat(ProcessHandle.allProcesses().filter(p -> p.info().commandLine().orElse("").contains(dir.toString())))
                .isEmpty();
    }
}
