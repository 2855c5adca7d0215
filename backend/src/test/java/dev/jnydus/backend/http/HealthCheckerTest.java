package dev.jnydus.backend.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jnydus.backend.TestEnv;
import dev.jnydus.backend.options.NetworkOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import okhttp3.Headers;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class HealthCheckerTest {
    private final MockWebServer server = new MockWebServer();
    private final TestEnv.ManualTicker ticker = new TestEnv.ManualTicker();
    private final Activity activity = new Activity(ticker);
    private final List<Boolean> verdicts = new ArrayList<>();
    private final AtomicBoolean wanted = new AtomicBoolean(true);
    private OkHttpClient client;

    @BeforeEach
    void start() throws Exception {
        server.start();
        client = HttpClients.pinger(HttpClients.direct(NetworkOptions.defaults()), Duration.ofSeconds(2));
    }

    @AfterEach
    void stop() throws Exception {
        HttpClients.shutdown(client);
        server.shutdown();
    }

    private HealthChecker checker(HttpUrl url) {
        return new HealthChecker("proxy", url, Headers.of("X-Check", "1"), c -> c >= 200 && c < 400, client,
                Duration.ofSeconds(5), Duration.ofSeconds(300), activity, wanted::get, verdicts::add);
    }

    @Test
    void statusDecidesHealthAndHeadersAreSent() throws Exception {
        server.enqueue(new MockResponse().setResponseCode(200));
        server.enqueue(new MockResponse().setResponseCode(503));
        server.enqueue(new MockResponse().setResponseCode(302));
        HealthChecker hc = checker(server.url("/server/ping"));
        hc.checkOnce();
        hc.checkOnce();
        hc.checkOnce();
        assertThat(verdicts).containsExactly(true, false, true);
        assertThat(server.takeRequest().getHeader("X-Check")).isEqualTo("1");
    }

    @Test
    void anUnreachableEndpointIsUnhealthy() throws Exception {
        HttpUrl url = server.url("/ping");
        server.shutdown();
        checker(url).checkOnce();
        assertThat(verdicts).containsExactly(false);
    }

    @Test
    void noPingWhileIdleOrUnwanted() {
        HealthChecker hc = checker(server.url("/ping"));
        ticker.advance(Duration.ofSeconds(301));
        assertThat(hc.checkOnce()).isFalse();
        activity.touch();
        wanted.set(false);
        assertThat(hc.checkOnce()).isFalse();
        assertThat(server.getRequestCount()).isZero();
        assertThat(verdicts).isEmpty();
    }

    @Test
    void runsOnTheSchedulerUntilClosed() throws Exception {
        try (TestEnv env = new TestEnv()) {
            for (int i = 0; i < 50; i++) {
                server.enqueue(new MockResponse().setResponseCode(200));
            }
            HealthChecker hc = new HealthChecker("proxy", server.url("/ping"), Headers.of(), c -> c < 400, client,
                    Duration.ofMillis(20), Duration.ofSeconds(300), activity, () -> true, verdicts::add);
            hc.start(env.scheduler);
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (server.getRequestCount() < 2 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            hc.close();
            int n = server.getRequestCount();
            assertThat(n).isGreaterThanOrEqualTo(2);
            Thread.sleep(100);
            assertThat(server.getRequestCount()).isLessThanOrEqualTo(n + 1);
        }
    }
}
