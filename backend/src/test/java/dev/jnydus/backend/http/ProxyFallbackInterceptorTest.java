package dev.jnydus.backend.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jnydus.backend.BackendException;
import dev.jnydus.backend.RequestSource;
import dev.jnydus.backend.TestEnv;
import java.io.IOException;
import java.util.List;
import okhttp3.HttpUrl;
import org.junit.jupiter.api.Test;

class ProxyFallbackInterceptorTest {
    private final Activity activity = new Activity(new TestEnv.ManualTicker());

    private static RangeRequest read(String url, RequestSource s) {
        return RangeRequest.read("00", HttpUrl.get(url), 0, 4, s);
    }

    private RangeResponse run(ProxyFallbackInterceptor p, ScriptedTransport t, RangeRequest r) throws IOException {
        return new InterceptorChain(List.of(p), t).execute(r);
    }

    @Test
    void healthyProxyGetsTheRequestWithDragonflyHeaders() throws Exception {
        ProxyFallbackInterceptor p = new ProxyFallbackInterceptor(true, false, activity);
        ScriptedTransport t = new ScriptedTransport().thenData(new byte[4]).thenData(new byte[4]);
        run(p, t, read("https://r.test/x", RequestSource.ON_DEMAND));
        run(p, t, read("https://r.test/x", RequestSource.PREFETCH));
        RangeRequest onDemand = t.requests.get(0);
        assertThat(onDemand.route()).isEqualTo(RangeRequest.Route.PROXY);
        assertThat(onDemand.header("X-Dragonfly-Priority")).isEqualTo("6");
        assertThat(onDemand.header("X-Dragonfly-Use-P2P")).isEqualTo("true");
        assertThat(onDemand.header("X-Dragonfly-Prefetch")).isEqualTo("true");
        assertThat(onDemand.url().scheme()).isEqualTo("https");
        assertThat(t.requests.get(1).header("X-Dragonfly-Priority")).isEqualTo("3");
    }

    @Test
    void useHttpRewritesHttpsOriginsForTheProxyOnly() throws Exception {
        ProxyFallbackInterceptor p = new ProxyFallbackInterceptor(true, true, activity);
        ScriptedTransport t = new ScriptedTransport().thenStatus(502).thenData(new byte[4]);
        run(p, t, read("https://r.test/x", RequestSource.ON_DEMAND));
        assertThat(t.requests.get(0).url().toString()).isEqualTo("http://r.test/x");
        assertThat(t.requests.get(1).url().toString()).isEqualTo("https://r.test/x");
    }

    @Test
    void serverErrorOrTransportFailureOfTheProxyFallsBackToTheOriginWithoutProxyHeaders() throws Exception {
        ProxyFallbackInterceptor p = new ProxyFallbackInterceptor(true, false, activity);
        ScriptedTransport t = new ScriptedTransport().thenStatus(500).thenData(new byte[4]).thenFail("refused")
                .thenData(new byte[4]);
        assertThat(run(p, t, read("http://r.test/x", RequestSource.ON_DEMAND)).code()).isEqualTo(206);
        assertThat(run(p, t, read("http://r.test/x", RequestSource.ON_DEMAND)).code()).isEqualTo(206);
        assertThat(t.requests).extracting(RangeRequest::route).containsExactly(RangeRequest.Route.PROXY,
                RangeRequest.Route.DIRECT, RangeRequest.Route.PROXY, RangeRequest.Route.DIRECT);
        assertThat(t.requests.get(1).header("X-Dragonfly-Priority")).isNull();
    }

    @Test
    void aProxyClientErrorIsFinal() throws Exception {
        ProxyFallbackInterceptor p = new ProxyFallbackInterceptor(true, false, activity);
        ScriptedTransport t = new ScriptedTransport().thenStatus(404);
        assertThat(run(p, t, read("http://r.test/x", RequestSource.ON_DEMAND)).code()).isEqualTo(404);
        assertThat(t.requests).hasSize(1);
    }

    @Test
    void withoutFallbackTheProxyAnswerIsFinal() {
        ProxyFallbackInterceptor p = new ProxyFallbackInterceptor(false, false, activity);
        ScriptedTransport t = new ScriptedTransport().thenFail("refused");
        assertThatThrownBy(() -> run(p, t, read("http://r.test/x", RequestSource.ON_DEMAND)))
                .hasMessage("refused");
        assertThat(t.requests).hasSize(1);
    }

    @Test
    void unhealthyProxyIsSkippedOrRefusedWhenFallbackIsOff() throws Exception {
        ProxyFallbackInterceptor p = new ProxyFallbackInterceptor(true, false, activity);
        p.setHealthy(false);
        ScriptedTransport t = new ScriptedTransport().thenData(new byte[4]);
        run(p, t, read("http://r.test/x", RequestSource.ON_DEMAND));
        assertThat(t.last().route()).isEqualTo(RangeRequest.Route.DIRECT);

        ProxyFallbackInterceptor strict = new ProxyFallbackInterceptor(false, false, activity);
        strict.setHealthy(false);
        assertThatThrownBy(() -> run(strict, new ScriptedTransport(), read("http://r.test/x", RequestSource.ON_DEMAND)))
                .isInstanceOf(BackendException.class)
                .hasMessageContaining("proxy is not healthy and fallback is disabled");

        p.setHealthy(true);
        run(p, t.thenData(new byte[4]), read("http://r.test/x", RequestSource.ON_DEMAND));
        assertThat(t.last().route()).isEqualTo(RangeRequest.Route.PROXY);
    }

    @Test
    void aRequestAlreadyRoutedDirectSkipsTheProxy() throws Exception {
        ProxyFallbackInterceptor p = new ProxyFallbackInterceptor(true, false, activity);
        ScriptedTransport t = new ScriptedTransport().thenData(new byte[4]);
        run(p, t, read("http://r.test/x", RequestSource.ON_DEMAND).withRoute(RangeRequest.Route.DIRECT));
        assertThat(t.last().route()).isEqualTo(RangeRequest.Route.DIRECT);
        assertThat(t.last().header("X-Dragonfly-Priority")).isNull();
    }

    @Test
    void withoutFallbackEvenTheLastRetryStaysOnTheProxy() throws Exception {
        ProxyFallbackInterceptor p = new ProxyFallbackInterceptor(false, false, activity);
        ScriptedTransport t = new ScriptedTransport().thenData(new byte[4]);
        run(p, t, read("http://r.test/x", RequestSource.ON_DEMAND).withRoute(RangeRequest.Route.DIRECT));
        assertThat(t.last().route()).isEqualTo(RangeRequest.Route.PROXY);
        p.setHealthy(false);
        assertThatThrownBy(() -> run(p, t, read("http://r.test/x", RequestSource.ON_DEMAND)
                .withRoute(RangeRequest.Route.DIRECT))).hasMessageContaining("fallback is disabled");
    }
}
