package dev.jnydus.testkit.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jnydus.backend.BackendEnvironment;
import dev.jnydus.backend.BackendException;
import dev.jnydus.backend.BackendFactory;
import dev.jnydus.backend.BackendMetrics;
import dev.jnydus.backend.BlobReader;
import dev.jnydus.backend.codec.ChunkDigest;
import dev.jnydus.backend.options.NetworkOptions;
import dev.jnydus.backend.options.RegistryOptions;
import dev.jnydus.backend.registry.RegistryBackend;
import dev.jnydus.common.Digester;
import dev.jnydus.common.Errno;
import dev.jnydus.common.Hex;
import dev.jnydus.testkit.Fixtures;
import dev.jnydus.testkit.Privileged;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The registry backend against Debian's distribution registry, started by each test on
 * 127.0.0.1: anonymous, htpasswd basic and bearer-token auth; the upstream fixture blob read back
 * byte-exact in random ranges; a registry killed mid-read.
 */
class RegistryBackendRealServerTest {
    static final String REPO = "jnydus/fixture";
    static final String BLOB_ID = "7334a2594e133cf8ae364189c2276b090fc490c627bcc3fb1077f0419a538e00";

    private ScheduledExecutorService scheduler;
    private BackendEnvironment env;
    private byte[] blob;

    @BeforeEach
    void setUp() throws Exception {
        Privileged.requireTool(RegistryServer.BINARY);
        Privileged.requireTool("htpasswd");
        blob = Files.readAllBytes(Fixtures.dir(Fixtures.V5_SHA256_NOCOMPRESS).resolve("blobs").resolve(BLOB_ID));
        scheduler = Executors.newSingleThreadScheduledExecutor();
        env = BackendEnvironment.system(scheduler).withEnv(Map.of());
    }

    @AfterEach
    void tearDown() {
        if (scheduler != null) {
            scheduler.shutdownNow();
        }
    }

    static NetworkOptions fast() {
        return NetworkOptions.defaults().withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(1));
    }

    private RegistryBackend backend(RegistryOptions o) throws Exception {
        return (RegistryBackend) BackendFactory.create("registry", o, env);
    }

    /** Random ranges, the whole blob, and its digest, all compared with the file. */
    private void readsBackByteExact(BlobReader r) throws Exception {
        assertThat(r.size()).isEqualTo(blob.length);
        Random rnd = new Random(42);
        for (int i = 0; i < 60; i++) {
            int len = 1 + rnd.nextInt(256 * 1024);
            long off = rnd.nextInt(blob.length);
            len = (int) Math.min(len, blob.length - off);
            assertThat(r.read(off, len)).as("range [%d, +%d)", off, len)
                    .isEqualTo(Arrays.copyOfRange(blob, (int) off, (int) off + len));
        }
        byte[] whole = r.read(0, blob.length);
        assertThat(Hex.of(ChunkDigest.digest(Digester.SHA256, whole, 0, whole.length))).isEqualTo(BLOB_ID);
    }

    @Test
    void anonymousPullReadsTheFixtureBlobByteExact() throws Exception {
        try (RegistryServer reg = RegistryServer.anonymous().start()) {
            assertThat(reg.pushBlob(REPO, blob)).isEqualTo(BLOB_ID);
            try (RegistryBackend b = backend(RegistryOptions.of("http", reg.hostPort(), REPO).withNetwork(fast()))) {
                readsBackByteExact(b.open(BLOB_ID));
                BackendMetrics.Snapshot m = b.metrics().orElseThrow().snapshot();
                assertThat(m.readCount()).isEqualTo(61);
                assertThat(m.readErrors()).isZero();
                assertThat(m.readAmountTotal()).isGreaterThan(blob.length);
                assertThatThrownBy(() -> b.open("00" + BLOB_ID.substring(2)).read(0, 10))
                        .isInstanceOf(BackendException.class).hasMessageContaining("not found");
            }
        }
    }

    @Test
    void htpasswdBasicAuth() throws Exception {
        try (RegistryServer reg = RegistryServer.htpasswd("puller", "pull-pass-123").start()) {
            reg.pushBlob(REPO, blob);
            RegistryOptions o = RegistryOptions.of("http", reg.hostPort(), REPO).withNetwork(fast());
            try (RegistryBackend b = backend(o.withAuth(reg.basicAuth()))) {
                readsBackByteExact(b.open(BLOB_ID));
            }
            try (RegistryBackend b = backend(o)) {
                assertThatThrownBy(() -> b.open(BLOB_ID).read(0, 10)).isInstanceOfSatisfying(BackendException.class,
                        e -> assertThat(e.getMessage()).contains("unauthorized"));
            }
            try (RegistryBackend b = backend(o.withAuth(RegistryOptions.basicAuth("puller", "wrong")))) {
                assertThatThrownBy(() -> b.open(BLOB_ID).read(0, 10)).isInstanceOfSatisfying(BackendException.class,
                        e -> assertThat(e.getMessage()).contains("unauthorized").doesNotContain("wrong"));
            }
        }
    }

    @Test
    void tokenAuthFromAnIssuerInsideTheTest() throws Exception {
        try (TokenIssuer issuer = TokenIssuer.start().withUser("tok-user", "tok-pass-456");
                RegistryServer reg = RegistryServer.token(issuer, "tok-user", "tok-pass-456").start()) {
            reg.pushBlob(REPO, blob);
            RegistryOptions o = RegistryOptions.of("http", reg.hostPort(), REPO).withNetwork(fast())
                    .withAuth(reg.basicAuth());
            try (RegistryBackend b = backend(o)) {
                readsBackByteExact(b.open(BLOB_ID));
            }
            // One token for the whole run, fetched with GET.
            assertThat(issuer.tokensIssued()).isEqualTo(1);
            assertThat(issuer.getRequests()).isEqualTo(1);
            assertThat(issuer.postRequests()).isZero();

            // A token server that serves only the POST form, and anonymous pulls.
            issuer.refuseGet(true).allowAnonymousPull(true);
            try (RegistryBackend b = backend(RegistryOptions.of("http", reg.hostPort(), REPO).withNetwork(fast()))) {
                assertThat(b.open(BLOB_ID).read(4096, 4096)).isEqualTo(Arrays.copyOfRange(blob, 4096, 8192));
                assertThat(b.open(BLOB_ID).read(0, 16)).isEqualTo(Arrays.copyOfRange(blob, 0, 16));
            }
            assertThat(issuer.getRequests()).isEqualTo(2);
            assertThat(issuer.postRequests()).isEqualTo(1);
            assertThat(issuer.tokensIssued()).isEqualTo(2);

            issuer.refuseGet(false).allowAnonymousPull(false);
            try (RegistryBackend b = backend(RegistryOptions.of("http", reg.hostPort(), REPO).withNetwork(fast()))) {
                assertThatThrownBy(() -> b.open(BLOB_ID).read(0, 10)).isInstanceOf(BackendException.class);
            }
        }
    }

    @Test
    void aRegistryKilledMidReadGivesEioWithinTheTimeoutsAndWorksAgainWhenBack() throws Exception {
        try (RegistryServer reg = RegistryServer.anonymous().start()) {
            reg.pushBlob(REPO, blob);
            try (RegistryBackend b = backend(RegistryOptions.of("http", reg.hostPort(), REPO).withNetwork(fast()))) {
                BlobReader r = b.open(BLOB_ID);
                assertThat(r.read(0, 1 << 20)).isEqualTo(Arrays.copyOfRange(blob, 0, 1 << 20));
                AtomicReference<Throwable> ended = new AtomicReference<>();
                AtomicInteger wholeReads = new AtomicInteger();
                Thread reader = new Thread(() -> {
                    try {
                        for (int i = 0; i < 10_000; i++) {
                            byte[] got = r.read(0, blob.length);
                            if (!Arrays.equals(got, blob)) {
                                throw new AssertionError("read " + i + " returned wrong data");
                            }
                            wholeReads.incrementAndGet();
                        }
                    } catch (Throwable t) {
                        ended.set(t);
                    }
                });
                reader.start();
                while (wholeReads.get() < 3 && reader.isAlive()) {
                    Thread.sleep(5);
                }
                reg.kill();
                reader.join(30_000);
                assertThat(reader.isAlive()).isFalse();
                // The crash reached the reader as an error (never as wrong data), while it was reading.
                assertThat(ended.get()).isInstanceOf(BackendException.class);
                assertThat(wholeReads.get()).isBetween(3, 9_999);

                long t0 = System.nanoTime();
                assertThatThrownBy(() -> r.read(4096, 4096)).isInstanceOfSatisfying(BackendException.class, e -> {
                    assertThat(e.errno()).isEqualTo(Errno.EIO);
                    assertThat(e.getMessage()).contains("after 4 attempts");
                });
                // Four attempts, each bounded by connect (1 s) and whole-request (2 s) timeouts, plus back-off.
                assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(4 * 2 + 3));

                reg.start();
                assertThat(r.read(4096, 4096)).isEqualTo(Arrays.copyOfRange(blob, 4096, 8192));
                assertThat(b.metrics().orElseThrow().snapshot().readErrors()).isGreaterThanOrEqualTo(1);
            }
        }
    }

    @Test
    void theHarnessLeavesNoProcessOrDirectoryBehind() throws Exception {
        long pid;
        Path dir;
        try (RegistryServer reg = RegistryServer.anonymous().start()) {
            pid = reg.pid();
            dir = reg.directory();
            assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).contains(true);
            assertThat(dir).isDirectory();
        }
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
        assertThat(dir).doesNotExist();
    }
}
