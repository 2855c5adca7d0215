package dev.jnydus.backend.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jnydus.backend.BackendException;
import dev.jnydus.backend.RequestSource;
import dev.jnydus.backend.TestEnv;
import dev.jnydus.common.Errno;
import java.time.Duration;
import java.util.List;
import okhttp3.Headers;
import org.junit.jupiter.api.Test;

class RetryInterceptorTest {
    private final TestEnv.RecordingSleeper sleeper = new TestEnv.RecordingSleeper();

    private InterceptorChain chain(RetryPolicy p, ScriptedTransport t) {
        return new InterceptorChain(List.of(new RetryInterceptor(p, sleeper, bound -> bound)), t);
    }

    private static RangeRequest read(RequestSource s) {
        return RangeRequest.read("00", InterceptorChainTest.URL, 0, 4, s);
    }

    @Test
    void onDemandGetsThreeRetriesThenFailsWithEveryFailureKept() {
        ScriptedTransport t = new ScriptedTransport().thenFail("one").thenFail("two").thenStatus(503).thenFail("four");
        assertThatThrownBy(() -> chain(RetryPolicy.forRetryLimit(0), t).execute(read(RequestSource.ON_DEMAND)))
                .isInstanceOfSatisfying(BackendException.class, e -> {
                    assertThat(e.errno()).isEqualTo(Errno.EIO);
                    assertThat(e.getMessage()).contains("after 4 attempts").contains("four");
                    assertThat(e.getCause()).hasMessage("four");
                    assertThat(e.getSuppressed()).extracting(Throwable::getMessage)
                            .containsExactly("one", "two", "GET http://registry.test/v2/a/b/blobs/sha256:00 [0, 4): HTTP 503");
                });
        assertThat(t.requests).hasSize(4);
        // Back-off 100, 200, 400 ms plus the (maximal) jitter of base / 2.
        assertThat(sleeper.waits).containsExactly(Duration.ofMillis(150), Duration.ofMillis(250),
                Duration.ofMillis(450));
    }

    @Test
    void theLastOnDemandRetryGoesStraightToTheOrigin() throws Exception {
        ScriptedTransport t = new ScriptedTransport().thenFail("a").thenFail("b").thenFail("c").thenData(new byte[4]);
        assertThat(chain(RetryPolicy.forRetryLimit(0), t).execute(read(RequestSource.ON_DEMAND)).code())
                .isEqualTo(206);
        assertThat(t.requests).extracting(RangeRequest::route).containsExactly(RangeRequest.Route.DEFAULT,
                RangeRequest.Route.DEFAULT, RangeRequest.Route.DEFAULT, RangeRequest.Route.DIRECT);
    }

    @Test
    void prefetchGetsOneRetryAfterARandomWaitBetween100msAnd1s() {
        ScriptedTransport t = new ScriptedTransport().thenFail("a").thenFail("b");
        assertThatThrownBy(() -> chain(RetryPolicy.forRetryLimit(0), t).execute(read(RequestSource.PREFETCH)))
                .isInstanceOf(BackendException.class).hasMessageContaining("after 2 attempts");
        assertThat(t.requests).hasSize(2).allMatch(r -> r.route() == RangeRequest.Route.DEFAULT);
        assertThat(sleeper.waits).containsExactly(Duration.ofMillis(1000));
    }

    @Test
    void retryLimitIsHonouredWithExponentialBackoff() {
        ScriptedTransport t = new ScriptedTransport().otherwise(r -> ScriptedTransport.response(r, 502, Headers.of(),
                new byte[0]));
        assertThatThrownBy(() -> chain(RetryPolicy.forRetryLimit(5), t).execute(read(RequestSource.ON_DEMAND)))
                .isInstanceOf(BackendException.class).hasMessageContaining("after 6 attempts");
        assertThat(sleeper.waits).containsExactly(Duration.ofMillis(750), Duration.ofMillis(1250),
                Duration.ofMillis(2250), Duration.ofMillis(4250), Duration.ofMillis(4250));
    }

    @Test
    void statusesARetryCannotFixAreReturnedAtOnce() throws Exception {
        for (int code : new int[] {400, 401, 403, 404, 416}) {
            ScriptedTransport t = new ScriptedTransport().thenStatus(code);
            assertThat(chain(RetryPolicy.forRetryLimit(0), t).execute(read(RequestSource.ON_DEMAND)).code())
                    .isEqualTo(code);
            assertThat(t.requests).hasSize(1);
        }
        assertThat(sleeper.waits).isEmpty();
    }

    @Test
    void dragonflyRateLimitOnPrefetchIsNotRetriedButOnDemandIs() throws Exception {
        Headers proxyError = Headers.of("X-Dragonfly-Error-Type", "proxy");
        ScriptedTransport t = new ScriptedTransport().then(r -> ScriptedTransport.response(r, 429, proxyError,
                new byte[0]));
        assertThat(chain(RetryPolicy.forRetryLimit(0), t).execute(read(RequestSource.PREFETCH)).code())
                .isEqualTo(429);
        assertThat(t.requests).hasSize(1);

        ScriptedTransport t2 = new ScriptedTransport()
                .then(r -> ScriptedTransport.response(r, 429, proxyError, new byte[0])).thenData(new byte[4]);
        assertThat(chain(RetryPolicy.forRetryLimit(0), t2).execute(read(RequestSource.ON_DEMAND)).code())
                .isEqualTo(206);
    }

    @Test
    void noneMeansOneAttempt() {
        ScriptedTransport t = new ScriptedTransport().thenFail("only");
        assertThatThrownBy(() -> chain(RetryPolicy.none(), t).execute(read(RequestSource.ON_DEMAND)))
                .isInstanceOf(BackendException.class).hasMessageNotContaining("attempts");
        assertThat(t.requests).hasSize(1);
    }
}
