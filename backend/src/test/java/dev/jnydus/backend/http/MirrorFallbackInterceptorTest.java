package dev.jnydus.backend.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jnydus.backend.RequestSource;
import dev.jnydus.backend.TestEnv;
import dev.jnydus.backend.options.MirrorOptions;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import okhttp3.HttpUrl;
import org.junit.jupiter.api.Test;

class MirrorFallbackInterceptorTest {
    private final Activity activity = new Activity(new TestEnv.ManualTicker());
    private final AtomicBoolean authorized = new AtomicBoolean(true);

    private MirrorFallbackInterceptor.Mirror mirror(String host, int failureLimit, boolean authThrough) {
        return new MirrorFallbackInterceptor.Mirror(new MirrorOptions(host, "", Map.of("X-Dragonfly-Registry",
                "https://r.test"), authThrough, Duration.ofSeconds(1), failureLimit, null));
    }

    private RangeResponse run(MirrorFallbackInterceptor m, ScriptedTransport t) throws IOException {
        return new InterceptorChain(List.of(m), t).execute(RangeRequest.read("00",
                HttpUrl.get("https://r.test/v2/a/blobs/sha256:00"), 0, 4, RequestSource.ON_DEMAND));
    }

    @Test
    void firstEnabledMirrorGetsTheRequestWithItsHostAndHeaders() throws Exception {
        MirrorFallbackInterceptor m = new MirrorFallbackInterceptor(List.of(mirror("http://127.0.0.1:65001", 5,
                false)), authorized::get, activity);
        ScriptedTransport t = new ScriptedTransport().thenData(new byte[4]);
        run(m, t);
        assertThat(t.last().url().toString()).isEqualTo("http://127.0.0.1:65001/v2/a/blobs/sha256:00");
        assertThat(t.last().header("X-Dragonfly-Registry")).isEqualTo("https://r.test");
    }

    @Test
    void serverErrorsMoveOnAndTheOriginGetsNoMirrorHeaders() throws Exception {
        MirrorFallbackInterceptor m = new MirrorFallbackInterceptor(List.of(mirror("http://m1.test", 5, false),
                mirror("http://m2.test:8080", 5, false)), authorized::get, activity);
        ScriptedTransport t = new ScriptedTransport().thenStatus(500).thenStatus(503).thenData(new byte[4]);
        assertThat(run(m, t).code()).isEqualTo(206);
        assertThat(t.requests).extracting(r -> r.url().host()).containsExactly("m1.test", "m2.test", "r.test");
        assertThat(t.last().header("X-Dragonfly-Registry")).isNull();
        assertThat(t.last().url().scheme()).isEqualTo("https");
        // Server errors are answers, not failures: the mirrors stay enabled.
        assertThat(m.mirrors()).allMatch(x -> x.enabled.get());
    }

    @Test
    void clientErrorsOfAMirrorAreFinal() throws Exception {
        MirrorFallbackInterceptor m = new MirrorFallbackInterceptor(List.of(mirror("http://m1.test", 5, false)),
                authorized::get, activity);
        ScriptedTransport t = new ScriptedTransport().thenStatus(403);
        assertThat(run(m, t).code()).isEqualTo(403);
        assertThat(t.requests).hasSize(1);
    }

    @Test
    void transportFailuresDisableAMirrorAtItsLimitUntilAHealthCheckPasses() throws Exception {
        MirrorFallbackInterceptor.Mirror m1 = mirror("http://m1.test", 2, false);
        MirrorFallbackInterceptor m = new MirrorFallbackInterceptor(List.of(m1), authorized::get, activity);
        ScriptedTransport t = new ScriptedTransport().thenFail("refused").thenData(new byte[4]).thenFail("refused")
                .thenData(new byte[4]).thenData(new byte[4]);
        assertThat(run(m, t).code()).isEqualTo(206);
        assertThat(m1.enabled.get()).isTrue();
        assertThat(run(m, t).code()).isEqualTo(206);
        assertThat(m1.enabled.get()).isFalse();
        run(m, t);
        assertThat(t.last().url().host()).isEqualTo("r.test");
        m1.checked(false);
        assertThat(m1.enabled.get()).isFalse();
        m1.checked(true);
        assertThat(m1.enabled.get()).isTrue();
        run(m, t.thenData(new byte[4]));
        assertThat(t.last().url().host()).isEqualTo("m1.test");
    }

    @Test
    void withoutAuthThroughUnauthorizedRequestsGoToTheOrigin() throws Exception {
        authorized.set(false);
        MirrorFallbackInterceptor m = new MirrorFallbackInterceptor(List.of(mirror("http://m1.test", 5, false)),
                authorized::get, activity);
        ScriptedTransport t = new ScriptedTransport().thenData(new byte[4]).thenData(new byte[4]);
        run(m, t);
        assertThat(t.last().url().host()).isEqualTo("r.test");
        authorized.set(true);
        run(m, t);
        assertThat(t.last().url().host()).isEqualTo("m1.test");

        authorized.set(false);
        MirrorFallbackInterceptor through = new MirrorFallbackInterceptor(List.of(mirror("http://m1.test", 5, true)),
                authorized::get, activity);
        run(through, t.thenData(new byte[4]));
        assertThat(t.last().url().host()).isEqualTo("m1.test");
    }
}
