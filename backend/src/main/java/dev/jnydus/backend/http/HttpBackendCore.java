package dev.jnydus.backend.http;

import dev.jnydus.backend.BackendEnvironment;
import dev.jnydus.backend.BackendException;
import dev.jnydus.backend.BackendMetrics;
import dev.jnydus.backend.RequestSource;
import dev.jnydus.backend.options.MirrorOptions;
import dev.jnydus.backend.options.NetworkOptions;
import dev.jnydus.backend.options.ProxyOptions;
import java.net.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.Supplier;
import okhttp3.Headers;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every HTTP backend shares: its OkHttp clients, metrics, proxy or mirror state with their
 * health checkers, and the interceptor chain in its fixed order
 *
 * <pre>
 *   Metrics -> Retry -> (ProxyFallback | MirrorFallback) -> auth/signing -> Redirect -> Transport
 * </pre>
 *
 * A backend builds the core, then {@link #install}s its auth interceptor once (or gets both from
 * {@link #withAuth}), then opens {@link HttpBlobReader}s with its URL builder, usually through
 * {@link HttpBlobBackend}. {@link #close} stops the health checks and drops connections.
 */
public final class HttpBackendCore implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HttpBackendCore.class);

    private final String type;
    private final NetworkOptions net;
    private final BackendEnvironment env;
    private final BackendMetrics metrics;
    private final ClientSetup direct;
    private final ClientSetup proxied;
    private final Activity activity;
    private final List<HealthChecker> checkers = new ArrayList<>();
    private ProxyFallbackInterceptor proxy;
    private MirrorFallbackInterceptor mirrors;
    private RedirectInterceptor redirect;
    private InterceptorChain chain;

    public HttpBackendCore(String type, NetworkOptions net, BackendEnvironment env) throws BackendException {
        this.type = type;
        this.net = net;
        this.env = env;
        this.metrics = new BackendMetrics(type, env.ticker());
        ProxyOptions p = net.proxy();
        // A proxy URL that is none fails the start, as a bad CA file does below.
        Proxy via = p.enabled() ? HttpClients.proxy(p.url()) : null;
        if (net.skipVerify() || !net.caCertFiles().isEmpty()) {
            this.direct = ClientSetup.ready(HttpClients.direct(net));
        } else {
            // Nothing here can fail on the configuration: built beside the mount (ClientSetup).
            this.direct = ClientSetup.start(() -> {
                try {
                    return HttpClients.direct(net);
                } catch (BackendException e) {
                    throw new IllegalStateException(e.getMessage(), e);
                }
            });
        }
        this.proxied = via == null ? null : direct.then(d -> HttpClients.viaProxy(d, via));
        this.activity = new Activity(env.ticker());
        if (!p.dragonflySchedulerEndpoint().isEmpty()) {
            LOG.warn("{} backend: dragonfly_scheduler_endpoint is not supported; using the HTTP proxy {}", type,
                    Redact.url(p.url()));
        }
    }

    /**
     * A core with {@code auth} installed and nothing else backend-specific: redirects keep their
     * scheme and host, and mirrors treat requests as already authorized (object stores sign every
     * request themselves).
     */
    public static HttpBackendCore withAuth(String type, NetworkOptions net, BackendEnvironment env,
            Interceptor... auth) throws BackendException {
        HttpBackendCore core = new HttpBackendCore(type, net, env);
        core.install(List.of(auth), "", "", () -> true);
        return core;
    }

    public String type() {
        return type;
    }

    public BackendMetrics metrics() {
        return metrics;
    }

    /**
     * An upper bound of one read's duration: every attempt (the first and each retry) may try the
     * proxy or each mirror before the origin, and follow one redirect, each call bounded by
     * {@code timeout} (which includes connecting); between attempts the retry back-off waits at
     * most its cap. Empty when {@code timeout} is 0 (no bound).
     */
    public Optional<Duration> readTimeoutBudget() {
        if (net.timeout().isZero()) {
            return Optional.empty();
        }
        RetryPolicy policy = RetryPolicy.forRetryLimit(net.retryLimit());
        int retries = Math.max(policy.retries(RequestSource.ON_DEMAND), policy.retries(RequestSource.PREFETCH));
        int routes = 1 + (net.proxy().enabled() ? 1 : net.mirrors().size());
        Duration backoff = policy.maxBackoff().compareTo(policy.prefetchMaxWait()) > 0 ? policy.maxBackoff()
                : policy.prefetchMaxWait();
        return Optional.of(net.timeout().multipliedBy(2L * routes * (retries + 1)).plus(backoff.multipliedBy(retries)));
    }

    /** The direct client, for requests that never go through proxy or mirrors (token requests). */
    public Supplier<OkHttpClient> directClient() {
        return direct;
    }

    public BackendEnvironment environment() {
        return env;
    }

    /**
     * Builds the chain around {@code auth} and starts health checks.
     *
     * @param auth the backend's auth or signing interceptors, in order (may be empty)
     * @param blobUrlScheme scheme forced on redirect locations, or empty
     * @param blobRedirectedHost host forced on redirect locations, or empty
     * @param authorized whether requests already carry credentials (mirrors without {@code auth_through})
     */
    public synchronized InterceptorChain install(List<Interceptor> auth, String blobUrlScheme, String blobRedirectedHost,
            BooleanSupplier authorized) {
        if (chain != null) {
            throw new IllegalStateException(type + " backend: chain already installed");
        }
        List<Interceptor> list = new ArrayList<>();
        list.add(new MetricsInterceptor(metrics));
        list.add(new RetryInterceptor(RetryPolicy.forRetryLimit(net.retryLimit()), env.sleeper(), env.random()));
        ProxyOptions p = net.proxy();
        if (p.enabled()) {
            proxy = new ProxyFallbackInterceptor(p.fallback(), p.useHttp(), activity);
            list.add(proxy);
            if (!p.pingUrl().isEmpty()) {
                ProxyFallbackInterceptor px = proxy;
                HealthChecker hc = new HealthChecker("proxy " + Redact.url(p.url()), HttpUrl.get(p.pingUrl()),
                        Headers.of(), code -> code >= 200 && code < 400,
                        direct.then(d -> HttpClients.pinger(d, net.connectTimeout())), p.checkInterval(),
                        p.checkPauseElapsed(),
                        activity, () -> true, px::setHealthy);
                checkers.add(hc);
            }
        } else if (!net.mirrors().isEmpty()) {
            List<MirrorFallbackInterceptor.Mirror> ms = new ArrayList<>();
            for (MirrorOptions mo : net.mirrors()) {
                MirrorFallbackInterceptor.Mirror m = new MirrorFallbackInterceptor.Mirror(mo);
                ms.add(m);
                HealthChecker hc = new HealthChecker("mirror " + Redact.url(m.base),
                        HttpUrl.get(mo.effectivePingUrl()), m.headers, code -> code < 500,
                        direct.then(d -> HttpClients.pinger(d, net.timeout())), mo.healthCheckInterval(),
                        mo.healthCheckPauseElapsed(), activity, () -> !m.enabled.get(), m::checked);
                checkers.add(hc);
            }
            mirrors = new MirrorFallbackInterceptor(ms, authorized, activity);
            list.add(mirrors);
        }
        list.addAll(auth);
        redirect = new RedirectInterceptor(blobUrlScheme, blobRedirectedHost, env.clock());
        list.add(redirect);
        chain = new InterceptorChain(list, new OkHttpTransport(direct, proxied, HttpClients.defaultHeaders(env.env())));
        for (HealthChecker hc : checkers) {
            hc.start(env.scheduler());
        }
        return chain;
    }

    /** A reader of {@code blobId} over the installed chain. */
    public HttpBlobReader reader(String blobId, Function<String, HttpUrl> urls) {
        InterceptorChain c;
        synchronized (this) {
            c = chain;
        }
        if (c == null) {
            throw new IllegalStateException(type + " backend: no chain installed");
        }
        return new HttpBlobReader(blobId, urls, c);
    }

    /** Whether the proxy is currently considered healthy; true when there is no proxy. */
    public boolean proxyHealthy() {
        return proxy == null || proxy.healthy();
    }

    /** Whether each mirror, in order, is currently enabled. */
    public List<Boolean> mirrorsEnabled() {
        List<Boolean> out = new ArrayList<>();
        if (mirrors != null) {
            for (MirrorFallbackInterceptor.Mirror m : mirrors.mirrors()) {
                out.add(m.enabled.get());
            }
        }
        return out;
    }

    @Override
    public synchronized void close() {
        for (HealthChecker hc : checkers) {
            hc.close();
        }
        OkHttpClient d;
        try {
            d = direct.get();
        } catch (IllegalStateException e) {
            return;  // its set-up failed: no client, nothing to release
        }
        HttpClients.shutdown(d);
    }
}
