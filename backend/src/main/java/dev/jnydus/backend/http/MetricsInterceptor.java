package dev.jnydus.backend.http;

import dev.jnydus.backend.BackendMetrics;
import java.io.IOException;

/**
 * Counts each read that enters the chain once, with its latency including all retries, as a
 * success when it returned data and as an error otherwise. Size requests are not reads and are not
 * counted (as upstream).
 */
final class MetricsInterceptor implements Interceptor {
    private final BackendMetrics metrics;

    MetricsInterceptor(BackendMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public RangeResponse intercept(Chain chain) throws IOException {
        RangeRequest req = chain.request();
        if (req.kind() != RangeRequest.Kind.READ) {
            return chain.proceed(req);
        }
        try (BackendMetrics.Recorder r = metrics.begin(req.length())) {
            RangeResponse resp = chain.proceed(req);
            if (resp.isSuccessful()) {
                r.success(resp.body().length);
            } else if (resp.code() == 416) {
                r.success(0);
            }
            return resp;
        }
    }
}
