package dev.jnydus.backend.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jnydus.backend.RequestSource;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import okhttp3.Headers;
import okhttp3.HttpUrl;
import org.junit.jupiter.api.Test;

class RedirectInterceptorTest {
    private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2013-05-24T00:00:00Z"));
    private final Clock clock = new Clock() {
        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now.get();
        }
    };

    private static RangeRequest read() {
        return RangeRequest.read("00", HttpUrl.get("https://r.test/v2/a/blobs/sha256:00"), 0, 4, RequestSource.ON_DEMAND)
                .withHeader("Authorization", "Bearer t");
    }

    private static ScriptedTransport.Step redirect(String location) {
        return r -> ScriptedTransport.response(r, 307, Headers.of("Location", location), new byte[0]);
    }

    private RangeResponse run(RedirectInterceptor ri, ScriptedTransport t) throws IOException {
        return new InterceptorChain(List.of(ri), t).execute(read());
    }

    @Test
    void followsToStorageWithoutCredentialsAndReusesTheLocation() throws Exception {
        RedirectInterceptor ri = new RedirectInterceptor("", "", clock);
        ScriptedTransport t = new ScriptedTransport().then(redirect("https://storage.test/blob?sig=1"))
                .thenData(new byte[4]).thenData(new byte[4]);
        assertThat(run(ri, t).code()).isEqualTo(206);
        assertThat(t.requests.get(0).header("Authorization")).isEqualTo("Bearer t");
        assertThat(t.requests.get(1).url().toString()).isEqualTo("https://storage.test/blob?sig=1");
        assertThat(t.requests.get(1).header("Authorization")).isNull();
        run(ri, t);
        assertThat(t.requests).hasSize(3);
        assertThat(t.requests.get(2).url().host()).isEqualTo("storage.test");
        assertThat(t.requests.get(2).header("Authorization")).isNull();
    }

    @Test
    void forcedSchemeAndHostApplyToTheLocation() throws Exception {
        RedirectInterceptor ri = new RedirectInterceptor("http", "127.0.0.1", clock);
        ScriptedTransport t = new ScriptedTransport().then(redirect("https://storage.test:8443/blob"))
                .thenData(new byte[4]);
        run(ri, t);
        assertThat(t.last().url().toString()).isEqualTo("http://127.0.0.1:8443/blob");
    }

    @Test
    void relativeLocationsResolveAgainstTheRequest() throws Exception {
        RedirectInterceptor ri = new RedirectInterceptor("", "", clock);
        ScriptedTransport t = new ScriptedTransport().then(redirect("/storage/blob")).thenData(new byte[4]);
        run(ri, t);
        assertThat(t.last().url().toString()).isEqualTo("https://r.test/storage/blob");
    }

    @Test
    void aRefusedCachedLocationIsDroppedAndTheRegistryAskedOnce() throws Exception {
        RedirectInterceptor ri = new RedirectInterceptor("", "", clock);
        ScriptedTransport t = new ScriptedTransport().then(redirect("https://storage.test/old")).thenData(new byte[4])
                .thenStatus(403).then(redirect("https://storage.test/new")).thenData(new byte[4]);
        run(ri, t);
        assertThat(run(ri, t).code()).isEqualTo(206);
        assertThat(t.requests).extracting(r -> r.url().encodedPath()).containsExactly("/v2/a/blobs/sha256:00",
                "/old", "/old", "/v2/a/blobs/sha256:00", "/new");
        assertThat(ri.cachedLocation("00").encodedPath()).isEqualTo("/new");
    }

    @Test
    void aLocationIsNotUsedPastTheExpiryItsQueryStates() throws Exception {
        RedirectInterceptor ri = new RedirectInterceptor("", "", clock);
        String presigned = "https://s3.test/b?X-Amz-Date=20130524T000000Z&X-Amz-Expires=600&X-Amz-Signature=x";
        ScriptedTransport t = new ScriptedTransport().then(redirect(presigned)).thenData(new byte[4])
                .thenData(new byte[4]).then(redirect(presigned)).thenData(new byte[4]);
        run(ri, t);
        now.set(Instant.parse("2013-05-24T00:09:00Z"));
        run(ri, t);
        assertThat(t.requests.get(2).url().host()).isEqualTo("s3.test");
        // 600 s minus the 30 s margin.
        now.set(Instant.parse("2013-05-24T00:09:31Z"));
        run(ri, t);
        assertThat(t.requests.get(3).url().host()).isEqualTo("r.test");
    }

    @Test
    void expiryIsReadFromTheCommonPresignedForms() {
        RedirectInterceptor ri = new RedirectInterceptor("", "", clock);
        assertThat(ri.expiry(HttpUrl.get("https://x.test/b?Expires=1369353600&Signature=s")))
                .isEqualTo(Instant.parse("2013-05-23T23:59:30Z"));
        assertThat(ri.expiry(HttpUrl.get("https://x.test/b?X-Goog-Date=20130524T000000Z&X-Goog-Expires=60")))
                .isEqualTo(Instant.parse("2013-05-24T00:00:30Z"));
        assertThat(ri.expiry(HttpUrl.get("https://x.test/b?se=2013-05-24T01:00:00Z&sig=s")))
                .isEqualTo(Instant.parse("2013-05-24T00:59:30Z"));
        assertThat(ri.expiry(HttpUrl.get("https://x.test/b?token=opaque"))).isNull();
        assertThat(ri.expiry(HttpUrl.get("https://x.test/b?X-Amz-Date=garbage&X-Amz-Expires=60"))).isNull();
    }
}
