package dev.jnydus.backend.s3;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jnydus.backend.BlobReader;
import dev.jnydus.backend.TestEnv;
import dev.jnydus.backend.http.RangeDispatcher;
import dev.jnydus.backend.options.NetworkOptions;
import dev.jnydus.backend.options.S3Options;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import okhttp3.mockwebserver.Dispatcher;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.Test;

class S3BackendTest {

    /** Verifies as S3 does: rebuild the canonical request from what arrived and compare signatures. */
    private static boolean verify(RecordedRequest r, String region, String id, String secret) {
        String auth = r.getHeader("Authorization");
        if (auth == null) {
            return false;
        }
        String signedHeaders = auth.replaceAll(".*SignedHeaders=([^,]+),.*", "$1");
        Map<String, String> headers = new LinkedHashMap<>();
        for (String h : signedHeaders.split(";")) {
            headers.put(h, r.getHeader(h));
        }
        Instant when = SigV4Signer.AMZ_DATE.parse(r.getHeader("x-amz-date"), Instant::from);
        SigV4Signer.Signed s = SigV4Signer.sign(r.getMethod(), r.getRequestUrl().encodedPath()
                .replace("%2F", "/"), List.of(), headers, r.getHeader("x-amz-content-sha256"), when, region, "s3",
                id, secret);
        return s.authorization().equals(auth);
    }

    @Test
    void pathStyleRequestsSignHostWithItsPortAndTheRange() throws Exception {
        byte[] blob = new byte[40_000];
        new Random(5).nextBytes(blob);
        try (MockWebServer server = new MockWebServer(); TestEnv test = new TestEnv()) {
            test.clock = java.time.Clock.fixed(Instant.parse("2013-05-24T00:00:00Z"), ZoneOffset.UTC);
            server.setDispatcher(new Dispatcher() {
                @Override
                public MockResponse dispatch(RecordedRequest r) {
                    if (!verify(r, "us-east-1", "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")) {
                        return new MockResponse().setResponseCode(403).setBody("SignatureDoesNotMatch");
                    }
                    return RangeDispatcher.serve(blob, r.getMethod(), r.getHeader("Range"));
                }
            });
            server.start();
            S3Options o = new S3Options("http", "127.0.0.1:" + server.getPort(), "us-east-1", "examplebucket",
                    "nydus/", "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
                    NetworkOptions.defaults().withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(2)));
            try (S3Backend b = S3Backend.create(o, test.env())) {
                BlobReader r = b.open("deadbeef");
                assertThat(r.size()).isEqualTo(blob.length);
                assertThat(r.read(7, 4000)).isEqualTo(Arrays.copyOfRange(blob, 7, 4007));
                server.takeRequest();
                RecordedRequest get = server.takeRequest();
                assertThat(get.getPath()).isEqualTo("/examplebucket/nydus/deadbeef");
                assertThat(get.getHeader("Host")).isEqualTo("127.0.0.1:" + server.getPort());
                assertThat(get.getHeader("Authorization")).contains(
                        "Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
                                + "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, Signature=");
                assertThat(get.getHeader("x-amz-date")).isEqualTo("20130524T000000Z");
                assertThat(b.metrics().orElseThrow().snapshot().backendType()).isEqualTo("s3");
            }
        }
    }

    @Test
    void hostHeaderDropsOnlyTheDefaultPort() {
        assertThat(S3SigningInterceptor.hostHeader(okhttp3.HttpUrl.get("https://s3.amazonaws.com/b/k")))
                .isEqualTo("s3.amazonaws.com");
        assertThat(S3SigningInterceptor.hostHeader(okhttp3.HttpUrl.get("http://minio:9000/b/k")))
                .isEqualTo("minio:9000");
    }
}
