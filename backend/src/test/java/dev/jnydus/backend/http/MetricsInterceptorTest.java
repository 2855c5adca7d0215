package dev.jnydus.backend.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jnydus.backend.BackendMetrics;
import dev.jnydus.backend.RequestSource;
import dev.jnydus.backend.TestEnv;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class MetricsInterceptorTest {
    private final TestEnv.ManualTicker ticker = new TestEnv.ManualTicker();
    private final BackendMetrics metrics = new BackendMetrics("registry", ticker);

    private RangeResponse run(ScriptedTransport t, RangeRequest r) throws IOException {
        return new InterceptorChain(List.of(new MetricsInterceptor(metrics)), t).execute(r);
    }

    @Test
    void countsReadsBytesErrorsAndLatency() throws Exception {
        ScriptedTransport t = new ScriptedTransport()
                .then(r -> {
                    ticker.advance(Duration.ofMillis(40));
                    return ScriptedTransport.response(r, 206, okhttp3.Headers.of(), new byte[2048]);
                })
                .thenStatus(404)
                .thenFail("reset");
        RangeRequest r = RangeRequest.read("00", InterceptorChainTest.URL, 0, 2048, RequestSource.ON_DEMAND);
        run(t, r);
        run(t, r);
        assertThatThrownBy(() -> run(t, r)).isInstanceOf(IOException.class);
        BackendMetrics.Snapshot s = metrics.snapshot();
        assertThat(s.readCount()).isEqualTo(3);
        assertThat(s.readErrors()).isEqualTo(2);
        assertThat(s.readAmountTotal()).isEqualTo(2048);
        assertThat(s.readCumulativeLatencyMillisTotal()).isEqualTo(40);
        assertThat(s.readCountBlockSizeDist()[1]).isEqualTo(3);
    }

    @Test
    void sizeRequestsAreNotReads() throws Exception {
        run(new ScriptedTransport().thenStatus(200), RangeRequest.size("00", InterceptorChainTest.URL));
        assertThat(metrics.snapshot().readCount()).isZero();
    }
}
