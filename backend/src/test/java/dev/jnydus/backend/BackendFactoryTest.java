package dev.jnydus.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jnydus.backend.http.RangeDispatcher;
import dev.jnydus.backend.options.HttpProxyOptions;
import dev.jnydus.backend.options.LocalDiskOptions;
import dev.jnydus.backend.options.LocalFsOptions;
import dev.jnydus.backend.options.MirrorOptions;
import dev.jnydus.backend.options.NetworkOptions;
import dev.jnydus.backend.options.OssOptions;
import dev.jnydus.backend.options.ProxyOptions;
import dev.jnydus.backend.options.RegistryOptions;
import dev.jnydus.backend.options.S3Options;
import dev.jnydus.common.Errno;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import okhttp3.mockwebserver.MockWebServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BackendFactoryTest {

    @Test
    void buildsEachSupportedTypeFromItsOptions(@TempDir Path dir) throws Exception {
        Files.write(dir.resolve("blob1"), new byte[] {1, 2, 3});
        try (TestEnv test = new TestEnv()) {
            try (BlobBackend b = BackendFactory.create("registry", RegistryOptions.of("https", "r.test", "a/b"),
                    test.env())) {
                assertThat(b.type()).isEqualTo("registry");
                assertThat(b.metrics()).isPresent();
            }
            try (BlobBackend b = BackendFactory.create("oss", new OssOptions(null, "oss.test", "bkt", "", "id", "sec",
                    null), test.env())) {
                assertThat(b.type()).isEqualTo("oss");
            }
            try (BlobBackend b = BackendFactory.create("s3", new S3Options(null, "", "us-east-1", "bkt", "", "", "",
                    null), test.env())) {
                assertThat(b.type()).isEqualTo("s3");
            }
            try (BlobBackend b = BackendFactory.create("localfs", new LocalFsOptions(null, dir, List.of()),
                    test.env())) {
                assertThat(b.open("blob1").read(0, 3)).containsExactly(1, 2, 3);
                assertThat(b.metrics().orElseThrow().snapshot().readAmountTotal()).isEqualTo(3);
            }
        }
    }

    @Test
    void httpProxyBackendReadsAddrPathAndId() throws Exception {
        try (MockWebServer server = new MockWebServer(); TestEnv test = new TestEnv()) {
            server.enqueue(RangeDispatcher.serve(new byte[] {9, 8, 7, 6}, "GET", "bytes=1-2"));
            server.start();
            try (BlobBackend b = BackendFactory.create("http-proxy", new HttpProxyOptions(
                    "http://127.0.0.1:" + server.getPort(), "/blobs", null), test.env())) {
                assertThat(b.open("abc").read(1, 2)).containsExactly(8, 7);
            }
            assertThat(server.takeRequest().getPath()).isEqualTo("/blobs/abc");
        }
    }

    @Test
    void unsupportedOrMismatchedTypesFailAtCreation() throws Exception {
        try (TestEnv test = new TestEnv()) {
            assertThatThrownBy(() -> BackendFactory.create("localdisk", new LocalDiskOptions(Path.of("/dev/sdz"),
                    false), test.env())).isInstanceOfSatisfying(BackendException.class, e -> {
                        assertThat(e.errno()).isEqualTo(Errno.EOPNOTSUPP);
                        assertThat(e.getMessage()).contains("'localdisk'", "not supported", "registry");
                    });
            assertThatThrownBy(() -> BackendFactory.create("http-proxy", new HttpProxyOptions("/run/blob.sock", "",
                    null), test.env())).isInstanceOfSatisfying(BackendException.class,
                            e -> assertThat(e.errno()).isEqualTo(Errno.EOPNOTSUPP));
            assertThatThrownBy(() -> BackendFactory.create("oss", RegistryOptions.of("https", "r.test", "a/b"),
                    test.env())).isInstanceOfSatisfying(BackendException.class,
                            e -> assertThat(e.errno()).isEqualTo(Errno.EINVAL));
            assertThatThrownBy(() -> BackendFactory.requireSupported("ftp")).hasMessageContaining("unknown");
            BackendFactory.requireSupported("s3");
        }
    }

    @Test
    void optionsValidateEagerlyWithTheOffendingValue() {
        assertThatThrownBy(() -> RegistryOptions.of("https", "", "a")).hasMessageContaining("host");
        assertThatThrownBy(() -> RegistryOptions.of("https", "r.test", "a").withAuth("bm9jb2xvbg=="))
                .hasMessageContaining("user:password");
        assertThatThrownBy(() -> NetworkOptions.defaults().withProxy(ProxyOptions.of("http://127.0.0.1:65001"))
                .withMirrors(List.of(MirrorOptions.of("http://m.test", Map.of()))))
                .hasMessageContaining("cannot be configured at the same time");
        assertThatThrownBy(() -> ProxyOptions.of("127.0.0.1:65001")).hasMessageContaining("'127.0.0.1:65001'");
        assertThatThrownBy(() -> NetworkOptions.defaults().withRetryLimit(300)).hasMessageContaining("300");
        assertThat(MirrorOptions.of("http://m.test:65001/", Map.of()).effectivePingUrl())
                .isEqualTo("http://m.test:65001/v2");
    }

    @Test
    void defaultsAreUpstreams() {
        NetworkOptions n = NetworkOptions.defaults();
        assertThat(n.timeout()).hasSeconds(5);
        assertThat(n.connectTimeout()).hasSeconds(5);
        assertThat(n.retryLimit()).isZero();
        assertThat(n.skipVerify()).isFalse();
        ProxyOptions p = ProxyOptions.of("http://127.0.0.1:65001");
        assertThat(p.fallback()).isTrue();
        assertThat(p.checkInterval()).hasSeconds(5);
        assertThat(p.checkPauseElapsed()).hasSeconds(300);
        MirrorOptions m = MirrorOptions.of("http://m.test", Map.of());
        assertThat(m.failureLimit()).isEqualTo(5);
        assertThat(m.healthCheckInterval()).hasSeconds(5);
        assertThat(RegistryOptions.of("", "r.test", "a").https()).isTrue();
        assertThat(RegistryOptions.of("HTTP", "r.test", "a").https()).isTrue();
        assertThat(RegistryOptions.of("http", "r.test", "a").https()).isFalse();
        assertThat(new S3Options(null, null, "r", "b", null, null, null, null).endpoint()).isEqualTo("s3.amazonaws.com");
    }

    @Test
    void secretsNeverAppearInToString() {
        String s = new S3Options(null, null, "r", "b", null, "AKID-VISIBLE?", "SECRET-KEY", null).toString()
                + new OssOptions(null, "e", "b", null, "OSS-ID", "OSS-SECRET", null)
                + RegistryOptions.of("https", "r.test", "a").withAuth(RegistryOptions.basicAuth("u", "pw"))
                        .withRegistryToken("TOKEN-VALUE");
        assertThat(s).doesNotContain("SECRET-KEY", "OSS-SECRET", "TOKEN-VALUE", RegistryOptions.basicAuth("u", "pw"))
                .contains("<redacted>");
    }
}
