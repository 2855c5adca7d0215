package dev.jnydus.backend.http;

import dev.jnydus.backend.BackendException;
import dev.jnydus.backend.RequestSource;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends requests through the Dragonfly proxy (dfdaemon as an HTTP proxy) while it is healthy, with
 * the Dragonfly headers, and to the origin otherwise (nydusd-interface 5.3):
 * <ul>
 *   <li>healthy: via the proxy; a transport failure or a status &ge; 500 goes on to the origin when
 *       {@code fallback} is on, and is returned as is when it is off;</li>
 *   <li>unhealthy: the origin when {@code fallback} is on, else the error "proxy is not healthy and
 *       fallback is disabled";</li>
 *   <li>requests already routed {@link RangeRequest.Route#DIRECT} (the last retry of a read) skip
 *       the proxy, unless {@code fallback} is off: then the origin is never contacted at all, which
 *       is what turning fallback off asks for.</li>
 * </ul>
 * Health comes from the ping checker, starting healthy.
 */
final class ProxyFallbackInterceptor implements Interceptor {
    private static final Logger LOG = LoggerFactory.getLogger(ProxyFallbackInterceptor.class);

    static final String PRIORITY = "X-Dragonfly-Priority";
    static final String USE_P2P = "X-Dragonfly-Use-P2P";
    static final String PREFETCH = "X-Dragonfly-Prefetch";

    private final boolean fallback;
    private final boolean useHttp;
    private final AtomicBoolean healthy = new AtomicBoolean(true);
    private final Activity activity;

    ProxyFallbackInterceptor(boolean fallback, boolean useHttp, Activity activity) {
        this.fallback = fallback;
        this.useHttp = useHttp;
        this.activity = activity;
    }

    void setHealthy(boolean ok) {
        healthy.set(ok);
    }

    boolean healthy() {
        return healthy.get();
    }

    @Override
    public RangeResponse intercept(Chain chain) throws IOException {
        RangeRequest req = chain.request();
        activity.touch();
        if (req.route() == RangeRequest.Route.DIRECT && fallback) {
            return chain.proceed(req);
        }
        if (healthy.get()) {
            RangeRequest viaProxy = req.withRoute(RangeRequest.Route.PROXY)
                    .withHeader(PRIORITY, req.source() == RequestSource.PREFETCH ? "3" : "6")
                    .withHeader(USE_P2P, "true")
                    .withHeader(PREFETCH, "true");
            if (useHttp && viaProxy.url().isHttps()) {
                viaProxy = viaProxy.withUrl(viaProxy.url().newBuilder().scheme("http").build());
            }
            try {
                RangeResponse resp = chain.proceed(viaProxy);
                if (!fallback || resp.code() < 500 || resp.isProxyError()) {
                    return resp;
                }
                LOG.warn("proxy answered {} for {}; falling back to the origin", resp.code(), req.describe());
            } catch (IOException e) {
                if (!fallback) {
                    throw e;
                }
                LOG.warn("proxy failed for {}: {}; falling back to the origin", req.describe(), e.getMessage());
            }
        } else if (!fallback) {
            throw new BackendException("blob " + req.blobId() + ": " + req.describe()
                    + ": proxy is not healthy and fallback is disabled");
        }
        return chain.proceed(req.withRoute(RangeRequest.Route.DIRECT));
    }
}
