package dev.jnydus.backend.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.read.ListAppender;
import dev.jnydus.backend.BackendException;
import dev.jnydus.backend.BackendMetrics;
import dev.jnydus.backend.BlobReader;
import dev.jnydus.backend.RequestSource;
import dev.jnydus.backend.TestEnv;
import dev.jnydus.backend.options.NetworkOptions;
import dev.jnydus.backend.options.RegistryOptions;
import dev.jnydus.common.Errno;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import okhttp3.mockwebserver.SocketPolicy;
import okio.Buffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class RegistryBackendTest {
    private static final String ID = "7334a2594e133cf8ae364189c2276b090fc490c627bcc3fb1077f0419a538e00";
    private final MockWebServer server = new MockWebServer();
    private final FakeRegistry registry = new FakeRegistry("library/busybox");
    private final TestEnv test = new TestEnv();
    private final byte[] blob = new byte[300_000];
    private final List<RegistryBackend> backends = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        new Random(7).nextBytes(blob);
        registry.blobs.put(ID, blob);
        registry.on(server);
        server.start();
    }

    @AfterEach
    void stop() throws Exception {
        backends.forEach(RegistryBackend::close);
        server.shutdown();
        test.close();
    }

    private RegistryOptions options() {
        return RegistryOptions.of("http", "127.0.0.1:" + server.getPort(), "library/busybox")
                .withNetwork(NetworkOptions.defaults().withTimeouts(Duration.ofMillis(500), Duration.ofMillis(500)));
    }

    private RegistryBackend backend(RegistryOptions o) throws Exception {
        RegistryBackend b = RegistryBackend.create(o, test.env());
        backends.add(b);
        return b;
    }

    private byte[] slice(long off, int len) {
        return Arrays.copyOfRange(blob, (int) off, (int) off + len);
    }

    @Test
    void anonymousReadsBySizeAndRange() throws Exception {
        RegistryBackend b = backend(options());
        BlobReader r = b.open(ID);
        assertThat(r.size()).isEqualTo(blob.length);
        assertThat(r.read(1000, 4096)).isEqualTo(slice(1000, 4096));
        ByteBuffer tail = ByteBuffer.allocate(100);
        assertThat(r.tryRead(tail, blob.length - 40)).isEqualTo(40);
        assertThat(r.tryRead(ByteBuffer.allocate(10), blob.length)).isEqualTo(-1);
        RecordedRequest head = server.takeRequest();
        assertThat(head.getMethod()).isEqualTo("HEAD");
        assertThat(head.getPath()).isEqualTo("/v2/library/busybox/blobs/sha256:" + ID);
        assertThat(head.getHeader("User-Agent")).isEqualTo("nydusd/1.0.0");
        assertThat(server.takeRequest().getHeader("Range")).isEqualTo("bytes=1000-5095");
        BackendMetrics.Snapshot m = b.metrics().orElseThrow().snapshot();
        assertThat(m.backendType()).isEqualTo("registry");
        assertThat(m.readCount()).isEqualTo(2);
        assertThat(m.readAmountTotal()).isEqualTo(4096 + 40);
        assertThat(m.readErrors()).isZero();
    }

    @Test
    void basicAuthAnswersTheChallengeOnceThenIsCached() throws Exception {
        registry.auth = FakeRegistry.Auth.BASIC;
        BlobReader r = backend(options().withAuth(registry.basic())).open(ID);
        assertThat(r.read(0, 10)).isEqualTo(slice(0, 10));
        assertThat(r.read(10, 10)).isEqualTo(slice(10, 10));
        // 401, authorized retry, then straight through.
        assertThat(registry.blobRequests()).isEqualTo(3);
        assertThat(registry.requests.get(0).getHeader("Authorization")).isNull();
        assertThat(registry.requests.get(2).getHeader("Authorization")).isEqualTo("Basic " + registry.basic());
    }

    @Test
    void wrongCredentialsAreAnErrorWithoutRetries() throws Exception {
        registry.auth = FakeRegistry.Auth.BASIC;
        BlobReader r = backend(options().withAuth(RegistryOptions.basicAuth("alice", "nope"))).open(ID);
        assertThatThrownBy(() -> r.read(0, 10)).isInstanceOfSatisfying(BackendException.class, e -> {
            assertThat(e.errno()).isEqualTo(Errno.EIO);
            assertThat(e.getMessage()).contains("unauthorized").doesNotContain("nope");
        });
        assertThat(registry.blobRequests()).isEqualTo(2);
    }

    @Test
    void bearerTokenIsFetchedByGetWithCredentialsOnceForManyReads() throws Exception {
        registry.auth = FakeRegistry.Auth.BEARER;
        registry.tokenNeedsCredentials = true;
        BlobReader r = backend(options().withAuth(registry.basic())).open(ID);
        for (int i = 0; i < 5; i++) {
            assertThat(r.read(i * 1000L, 1000)).isEqualTo(slice(i * 1000L, 1000));
        }
        assertThat(registry.tokenFetches.get()).isEqualTo(1);
        assertThat(registry.tokenGets.get()).isEqualTo(1);
        assertThat(registry.tokenPosts.get()).isZero();
        assertThat(registry.lastTokenAuthorization).isEqualTo("Basic " + registry.basic());
        assertThat(registry.blobRequests()).isEqualTo(2 + 4);
    }

    @Test
    void tokenFallsBackToThePostFormAndRemembersIt() throws Exception {
        registry.auth = FakeRegistry.Auth.BEARER;
        registry.getTokenAllowed = false;
        RegistryBackend b = backend(options());
        BlobReader r = b.open(ID);
        assertThat(r.read(0, 100)).isEqualTo(slice(0, 100));
        assertThat(registry.tokenGets.get()).isEqualTo(1);
        assertThat(registry.tokenPosts.get()).isEqualTo(1);
        registry.revokeTokens();
        assertThat(r.read(100, 100)).isEqualTo(slice(100, 100));
        assertThat(registry.tokenGets.get()).isEqualTo(1);
        assertThat(registry.tokenPosts.get()).isEqualTo(2);
    }

    @Test
    void tokenIsRefreshedBeforeItExpiresWithJitter() throws Exception {
        registry.auth = FakeRegistry.Auth.BEARER;
        registry.expiresIn = 100;
        BlobReader r = backend(options()).open(ID);
        r.read(0, 10);
        assertThat(registry.tokenFetches.get()).isEqualTo(1);
        // Refresh at expiry - (20 s + jitter), jitter at most min(ttl / 10, 300 s) = 10 s; the test
        // randomness takes the maximum: 100 - 30 = 70 s.
        test.ticker.advance(Duration.ofSeconds(69));
        r.read(10, 10);
        assertThat(registry.tokenFetches.get()).isEqualTo(1);
        test.ticker.advance(Duration.ofSeconds(2));
        r.read(20, 10);
        assertThat(registry.tokenFetches.get()).isEqualTo(2);
        // The request that triggered the refresh still used the old, valid token; the next uses the new one.
        registry.validTokens.remove("tok-1");
        r.read(30, 10);
        assertThat(registry.requests.get(registry.requests.size() - 1).getHeader("Authorization"))
                .isEqualTo("Bearer tok-2");
        assertThat(registry.requests).noneMatch(q -> q.getPath().contains("/blobs/") && q.getHeader("Authorization")
                == null && registry.requests.indexOf(q) > 2);
    }

    @Test
    void anExpiredTokenIsNotSentButRefreshedFirst() throws Exception {
        registry.auth = FakeRegistry.Auth.BEARER;
        registry.expiresIn = 60;
        BlobReader r = backend(options()).open(ID);
        r.read(0, 10);
        test.ticker.advance(Duration.ofSeconds(61));
        long before = registry.blobRequests();
        r.read(10, 10);
        assertThat(registry.tokenFetches.get()).isEqualTo(2);
        assertThat(registry.blobRequests() - before).isEqualTo(1);
    }

    @Test
    void a401AfterTokenExpiryRefreshesTheTokenOnceAndTheReadSucceeds() throws Exception {
        registry.auth = FakeRegistry.Auth.BEARER;
        BlobReader r = backend(options()).open(ID);
        r.read(0, 10);
        registry.revokeTokens();
        long before = registry.blobRequests();
        assertThat(r.read(5000, 64)).isEqualTo(slice(5000, 64));
        assertThat(registry.tokenFetches.get()).isEqualTo(2);
        // Refused token, fresh challenge without it, then the new token.
        assertThat(registry.blobRequests() - before).isEqualTo(3);
        assertThat(test.sleeper.waits).isEmpty();
    }

    @Test
    void aPresetRegistryTokenIsSentFromTheFirstRequest() throws Exception {
        registry.auth = FakeRegistry.Auth.BEARER;
        registry.validTokens.add("preset-token");
        BlobReader r = backend(options().withRegistryToken("preset-token")).open(ID);
        assertThat(r.read(0, 10)).isEqualTo(slice(0, 10));
        assertThat(registry.tokenFetches.get()).isZero();
        assertThat(registry.requests.get(0).getHeader("Authorization")).isEqualTo("Bearer preset-token");
    }

    @Test
    void concurrentFirstReadsFetchOneToken() throws Exception {
        registry.auth = FakeRegistry.Auth.BEARER;
        RegistryBackend b = backend(options());
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<byte[]>> fs = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                long off = i * 4096L;
                fs.add(pool.submit(() -> b.open(ID).read(off, 4096)));
            }
            for (int i = 0; i < 8; i++) {
                assertThat(fs.get(i).get()).isEqualTo(slice(i * 4096L, 4096));
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(registry.tokenFetches.get()).isEqualTo(1);
    }

    @Test
    void redirectsToStorageAreFollowedWithoutCredentialsAndReused() throws Exception {
        registry.auth = FakeRegistry.Auth.BEARER;
        registry.redirect = true;
        BlobReader r = backend(options().withBlobRedirect("http", "127.0.0.1")).open(ID);
        assertThat(r.read(0, 100)).isEqualTo(slice(0, 100));
        assertThat(r.read(100, 100)).isEqualTo(slice(100, 100));
        assertThat(r.read(200, 100)).isEqualTo(slice(200, 100));
        assertThat(registry.storageReads.get()).isEqualTo(3);
        // 401, authorized GET answered with 307; then storage only.
        assertThat(registry.blobRequests()).isEqualTo(2);
        assertThat(registry.requests).filteredOn(q -> q.getPath().startsWith("/storage/"))
                .allMatch(q -> q.getHeader("Authorization") == null);
    }

    @Test
    void aServerThatStallsForeverGivesEioWithinTheTimeoutsAndRetries() throws Exception {
        for (int i = 0; i < 4; i++) {
            registry.faults.add(new MockResponse().setSocketPolicy(SocketPolicy.NO_RESPONSE));
        }
        BlobReader r = backend(options()).open(ID);
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> r.read(0, 100)).isInstanceOfSatisfying(BackendException.class, e -> {
            assertThat(e.errno()).isEqualTo(Errno.EIO);
            assertThat(e.getMessage()).contains("after 4 attempts");
            assertThat(e.getSuppressed()).hasSize(3);
        });
        // 4 attempts of at most 500 ms each; back-off waits are recorded, not slept.
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofMillis(4 * 500 + 1500));
        assertThat(test.sleeper.waits).hasSize(3);
        assertThat(r.read(0, 100)).isEqualTo(slice(0, 100));
    }

    @Test
    void aTruncatedOrMisplacedAnswerIsNeverServedAndIsRetried() throws Exception {
        registry.faults.add(new MockResponse().setResponseCode(206).setHeader("Content-Range", "bytes 0-99/300000")
                .setBody(new Buffer().write(slice(0, 50))).setHeader("Content-Length", 100)
                .setSocketPolicy(SocketPolicy.DISCONNECT_AT_END));
        registry.faults.add(new MockResponse().setResponseCode(206).setHeader("Content-Range", "bytes 1-100/300000")
                .setBody(new Buffer().write(slice(1, 100))));
        BlobReader r = backend(options()).open(ID);
        assertThat(r.read(0, 100)).isEqualTo(slice(0, 100));
        assertThat(registry.blobRequests()).isEqualTo(3);
        BackendMetrics.Snapshot m = backends.get(0).metrics().orElseThrow().snapshot();
        assertThat(m.readCount()).isEqualTo(1);
        assertThat(m.readErrors()).isZero();
    }

    @Test
    void aWrongLengthOnEveryAttemptIsEio() throws Exception {
        for (int i = 0; i < 4; i++) {
            registry.faults.add(new MockResponse().setResponseCode(206).setHeader("Content-Range",
                    "bytes 0-99/300000").setBody(new Buffer().write(slice(0, 120))));
        }
        BlobReader r = backend(options()).open(ID);
        assertThatThrownBy(() -> r.read(0, 100)).isInstanceOf(BackendException.class)
                .hasMessageContaining("Content-Length 120");
        assertThat(backends.get(0).metrics().orElseThrow().snapshot().readErrors()).isEqualTo(1);
    }

    @Test
    void aMissingBlobIsNotFoundWithoutRetries() throws Exception {
        BlobReader r = backend(options()).open("00ff");
        assertThatThrownBy(() -> r.read(0, 10)).isInstanceOf(BackendException.class).hasMessageContaining("not found")
                .hasMessageContaining("BLOB_UNKNOWN");
        assertThat(registry.blobRequests()).isEqualTo(1);
    }

    @Test
    void prefetchReadsHaveTheSmallerRetryBudget() throws Exception {
        for (int i = 0; i < 2; i++) {
            registry.faults.add(new MockResponse().setResponseCode(503));
        }
        BlobReader r = backend(options()).open(ID);
        assertThatThrownBy(() -> r.read(0, 10, RequestSource.PREFETCH)).hasMessageContaining("after 2 attempts");
    }

    @Test
    void httpsWithSkipVerifyFallsBackToHttpForAPlainRegistry() throws Exception {
        RegistryOptions o = RegistryOptions.of("https", "127.0.0.1:" + server.getPort(), "library/busybox")
                .withNetwork(NetworkOptions.defaults().withSkipVerify(true).withTimeouts(Duration.ofSeconds(2),
                        Duration.ofSeconds(2)));
        BlobReader r = backend(o).open(ID);
        assertThat(r.read(0, 10)).isEqualTo(slice(0, 10));
        assertThat(r.read(10, 10)).isEqualTo(slice(10, 10));

        RegistryOptions strict = RegistryOptions.of("https", "127.0.0.1:" + server.getPort(), "library/busybox")
                .withNetwork(NetworkOptions.defaults().withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(2)));
        assertThatThrownBy(() -> backend(strict).open(ID).read(0, 10)).isInstanceOf(BackendException.class);
    }

    @Test
    void aHotAuthUpdateReplacesTheCredentials() throws Exception {
        registry.auth = FakeRegistry.Auth.BEARER;
        registry.tokenNeedsCredentials = true;
        RegistryBackend b = backend(options().withAuth(RegistryOptions.basicAuth("alice", "old")));
        BlobReader r = b.open(ID);
        assertThatThrownBy(() -> r.read(0, 10)).isInstanceOf(BackendException.class);
        b.updateAuth(registry.basic());
        assertThat(r.read(0, 10)).isEqualTo(slice(0, 10));
    }

    @Test
    void credentialsAndTokensNeverReachLogsOrMessages() throws Exception {
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        logs.start();
        root.addAppender(logs);
        Level was = root.getLevel();
        root.setLevel(Level.TRACE);
        List<String> texts = new ArrayList<>();
        try {
            registry.auth = FakeRegistry.Auth.BEARER;
            registry.tokenNeedsCredentials = true;
            RegistryOptions o = options().withAuth(registry.basic()).withBlobRedirect("", "127.0.0.1");
            assertThat(o.toString()).doesNotContain(registry.basic()).contains("auth=<redacted>");
            RegistryBackend b = backend(o);
            BlobReader r = b.open(ID);
            r.read(0, 10);
            registry.revokeTokens();
            r.read(10, 10);
            registry.redirect = true;
            r.read(20, 10);
            registry.redirect = false;
            for (int i = 0; i < 4; i++) {
                registry.faults.add(new MockResponse().setResponseCode(500).setBody("internal"));
            }
            try {
                b.open(ID).read(40, 10);
            } catch (BackendException e) {
                collect(e, texts);
            }
            b.updateAuth(RegistryOptions.basicAuth("alice", "wrong-password"));
            registry.revokeTokens();
            try {
                r.read(30, 10);
            } catch (BackendException e) {
                collect(e, texts);
            }
        } finally {
            root.detachAppender(logs);
            root.setLevel(was);
        }
        for (ILoggingEvent e : logs.list) {
            texts.add(e.getFormattedMessage());
            for (IThrowableProxy t = e.getThrowableProxy(); t != null; t = t.getCause()) {
                texts.add(t.getMessage());
            }
        }
        assertThat(texts).isNotEmpty();
        for (String t : texts) {
            if (t == null) {
                continue;
            }
            assertThat(t).doesNotContain(registry.password).doesNotContain(registry.basic())
                    .doesNotContain("wrong-password").doesNotContain("tok-").doesNotContain("deadbeef");
        }
    }

    private static void collect(Throwable t, List<String> out) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            out.add(c.getMessage());
            out.add(c.toString());
            for (Throwable s : c.getSuppressed()) {
                collect(s, out);
            }
        }
    }
}
