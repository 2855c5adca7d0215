package dev.jnydus.backend.oss;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jnydus.backend.BlobReader;
import dev.jnydus.backend.TestEnv;
import dev.jnydus.backend.http.RangeDispatcher;
import dev.jnydus.backend.options.NetworkOptions;
import dev.jnydus.backend.options.OssOptions;
import dev.jnydus.backend.options.ProxyOptions;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import okhttp3.mockwebserver.Dispatcher;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.Test;

/**
 * OSS addresses buckets by virtual host ({@code bucket.endpoint}), which does not resolve on
 * loopback; the test server therefore plays the HTTP proxy the backend is configured with, and
 * sees each request in absolute form, as dfdaemon would.
 */
class OssBackendTest {

    @Test
    void requestsAreVirtualHostedAndSignedAsTheServerRecomputes() throws Exception {
        byte[] blob = new byte[50_000];
        new Random(3).nextBytes(blob);
        try (MockWebServer server = new MockWebServer(); TestEnv test = new TestEnv()) {
            test.clock = java.time.Clock.fixed(Instant.parse("2005-11-17T18:49:58Z"), ZoneOffset.UTC);
            server.setDispatcher(new Dispatcher() {
                @Override
                public MockResponse dispatch(RecordedRequest r) {
                    String date = r.getHeader("Date");
                    String sts = OssSigner.stringToSign(r.getMethod(), "", "", date, Map.of(),
                            "/images/nydus/" + "abc123");
                    String want = OssSigner.authorization("ak-id", "ak-secret", sts);
                    if (!want.equals(r.getHeader("Authorization"))) {
                        return new MockResponse().setResponseCode(403).setBody("SignatureDoesNotMatch");
                    }
                    return RangeDispatcher.serve(blob, r.getMethod(), r.getHeader("Range"));
                }
            });
            server.start();
            OssOptions o = new OssOptions("http", "oss-cn-hangzhou.aliyuncs.com", "images", "nydus/", "ak-id",
                    "ak-secret", NetworkOptions.defaults().withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(2))
                            .withProxy(ProxyOptions.of(server.url("/").toString())));
            try (OssBackend b = OssBackend.create(o, test.env())) {
                BlobReader r = b.open("abc123");
                assertThat(r.size()).isEqualTo(blob.length);
                assertThat(r.read(100, 1000)).isEqualTo(Arrays.copyOfRange(blob, 100, 1100));
                RecordedRequest head = server.takeRequest();
                assertThat(head.getRequestLine())
                        .isEqualTo("HEAD http://images.oss-cn-hangzhou.aliyuncs.com/nydus/abc123 HTTP/1.1");
                assertThat(head.getHeader("Date")).isEqualTo("Thu, 17 Nov 2005 18:49:58 GMT");
                RecordedRequest get = server.takeRequest();
                assertThat(get.getHeader("Authorization")).startsWith("OSS ak-id:");
                assertThat(get.getHeader("X-Dragonfly-Priority")).isEqualTo("6");
                assertThat(b.metrics().orElseThrow().snapshot().backendType()).isEqualTo("oss");
            }
        }
    }

    @Test
    void withoutKeysRequestsAreUnsigned() throws Exception {
        try (MockWebServer server = new MockWebServer(); TestEnv test = new TestEnv()) {
            server.enqueue(RangeDispatcher.serve(new byte[10], "GET", "bytes=0-9"));
            server.start();
            OssOptions o = new OssOptions("http", "oss.test", "pub", "", "", "", NetworkOptions.defaults()
                    .withProxy(ProxyOptions.of(server.url("/").toString())));
            try (OssBackend b = OssBackend.create(o, test.env())) {
                b.open("x").read(0, 10);
                assertThat(server.takeRequest().getHeader("Authorization")).isNull();
            }
        }
    }
}
