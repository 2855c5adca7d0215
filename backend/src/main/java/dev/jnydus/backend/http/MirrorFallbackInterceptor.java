package dev.jnydus.backend.http;

import dev.jnydus.backend.options.MirrorOptions;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import okhttp3.Headers;
import okhttp3.HttpUrl;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The legacy {@code mirrors} list (nydusd-interface 5.4): each enabled mirror in order gets the
 * request with its scheme, host and port in place of the origin's and its headers added (typically
 * {@code X-Dragonfly-Registry}, which tells dfdaemon the real origin). A response below 500 is
 * final; a status &ge; 500 moves on to the next mirror; a transport failure also counts against the
 * mirror, which is disabled at its {@code failure_limit} until a health check passes. When no
 * mirror answers, the origin gets the request without the mirror headers, so a reader sees no error
 * from a mirror that went away.
 *
 * <p>A mirror without {@code auth_through} never sees a request that carries no credentials yet:
 * those go to the origin, which hands out the token the mirror requests then carry.
 */
final class MirrorFallbackInterceptor implements Interceptor {
    private static final Logger LOG = LoggerFactory.getLogger(MirrorFallbackInterceptor.class);

    /** One mirror's configuration and state. */
    static final class Mirror {
        final MirrorOptions options;
        final HttpUrl base;
        final Headers headers;
        final AtomicBoolean enabled = new AtomicBoolean(true);
        final AtomicInteger failures = new AtomicInteger();

        Mirror(MirrorOptions options) {
            this.options = options;
            this.base = HttpUrl.get(options.host());
            this.headers = Headers.of(options.headers());
        }

        HttpUrl rewrite(HttpUrl origin) {
            return origin.newBuilder().scheme(base.scheme()).host(base.host()).port(base.port()).build();
        }

        void failed(String what) {
            int n = failures.incrementAndGet();
            if (n >= options.failureLimit() && enabled.compareAndSet(true, false)) {
                LOG.warn("mirror {} disabled after {} failures (last: {})", Redact.url(base), n, what);
            }
        }

        /** A health check answered: a passing check re-enables a disabled mirror. */
        void checked(boolean ok) {
            if (ok) {
                failures.set(0);
                if (enabled.compareAndSet(false, true)) {
                    LOG.info("mirror {} enabled again", Redact.url(base));
                }
            }
        }
    }

    private final List<Mirror> mirrors;
    private final BooleanSupplier authorized;
    private final Activity activity;

    /**
     * @param authorized whether requests of this backend carry credentials already (for mirrors
     *     without {@code auth_through})
     */
    MirrorFallbackInterceptor(List<Mirror> mirrors, BooleanSupplier authorized, Activity activity) {
        this.mirrors = List.copyOf(mirrors);
        this.authorized = authorized;
        this.activity = activity;
    }

    List<Mirror> mirrors() {
        return mirrors;
    }

    @Override
    public RangeResponse intercept(Chain chain) throws IOException {
        RangeRequest req = chain.request();
        activity.touch();
        if (req.route() == RangeRequest.Route.DIRECT) {
            return chain.proceed(req);
        }
        for (Mirror m : mirrors) {
            if (!m.enabled.get()) {
                continue;
            }
            if (!m.options.authThrough() && !authorized.getAsBoolean()) {
                break;
            }
            RangeRequest viaMirror = req.withUrl(m.rewrite(req.url())).withHeaders(m.headers)
                    .withRoute(RangeRequest.Route.DIRECT);
            try {
                RangeResponse resp = chain.proceed(viaMirror);
                if (resp.code() < 500) {
                    return resp;
                }
                LOG.warn("mirror {} answered {} for {}; trying the next", Redact.url(m.base), resp.code(),
                        req.describe());
            } catch (IOException e) {
                LOG.warn("mirror {} failed for {}: {}", Redact.url(m.base), req.describe(), e.getMessage());
                m.failed(e.getMessage());
            }
        }
        return chain.proceed(req.withRoute(RangeRequest.Route.DIRECT));
    }
}
