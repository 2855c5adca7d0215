package dev.jnydus.backend.http;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows redirects to blob storage and reuses the final URL per blob (nydusd-interface 5.2).
 * OkHttp's own redirect following is off: upstream strips {@code Authorization} when it leaves the
 * registry, can force the location's scheme ({@code blob_url_scheme}) and host
 * ({@code blob_redirected_host}), and caches where a blob lives so later reads skip the registry.
 *
 * <p>A cached URL is used until it expires: when its query says when (AWS {@code X-Amz-Date} +
 * {@code X-Amz-Expires}, Google {@code X-Goog-Date} + {@code X-Goog-Expires}, an epoch
 * {@code Expires} as OSS and GCS v2 sign, Azure {@code se}), shortly before that moment; and in
 * any case as soon as it answers 401 or 403, after which the read goes through the registry again
 * once. Upstream only knows the second rule, and so sends one doomed request per blob after each
 * expiry.
 */
final class RedirectInterceptor implements Interceptor {
    private static final Logger LOG = LoggerFactory.getLogger(RedirectInterceptor.class);
    private static final int MAX_HOPS = 5;
    /** Stop using a URL this long before its stated expiry, for clock skew and slow reads. */
    static final Duration EXPIRY_MARGIN = Duration.ofSeconds(30);
    private static final DateTimeFormatter AMZ_DATE = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
            .withZone(ZoneOffset.UTC);

    private record Cached(okhttp3.HttpUrl url, Instant expiresAt) {
    }

    private final String forcedScheme;
    private final String forcedHost;
    private final Clock clock;
    private final ConcurrentMap<String, Cached> cache = new ConcurrentHashMap<>();

    /**
     * @param forcedScheme {@code blob_url_scheme}, or empty
     * @param forcedHost {@code blob_redirected_host}, or empty
     */
    RedirectInterceptor(String forcedScheme, String forcedHost, Clock clock) {
        this.forcedScheme = forcedScheme;
        this.forcedHost = forcedHost;
        this.clock = clock;
    }

    /** The cached location of a blob, or null. */
    okhttp3.HttpUrl cachedLocation(String blobId) {
        Cached c = cache.get(blobId);
        return c == null ? null : c.url;
    }

    @Override
    public RangeResponse intercept(Chain chain) throws IOException {
        RangeRequest req = chain.request();
        Cached cached = cache.get(req.blobId());
        if (cached != null) {
            if (cached.expiresAt != null && !clock.instant().isBefore(cached.expiresAt)) {
                cache.remove(req.blobId(), cached);
                LOG.debug("redirect location of blob {} expired", req.blobId());
            } else {
                RangeRequest direct = req.withUrl(cached.url).withoutHeader("Authorization");
                RangeResponse resp = chain.proceed(direct);
                if (resp.code() != 401 && resp.code() != 403) {
                    return follow(chain, req, direct, resp);
                }
                cache.remove(req.blobId(), cached);
                LOG.warn("redirect location of blob {} answered {}; asking the registry again", req.blobId(),
                        resp.code());
            }
        }
        return follow(chain, req, req, chain.proceed(req));
    }

    private RangeResponse follow(Chain chain, RangeRequest original, RangeRequest current, RangeResponse resp)
            throws IOException {
        for (int hops = 0; resp.isRedirect() && hops < MAX_HOPS; hops++) {
            okhttp3.HttpUrl next = current.url().resolve(resp.header("Location"));
            if (next == null) {
                throw new BadResponseException(current.describe() + ": redirect to an unusable location");
            }
            okhttp3.HttpUrl.Builder b = next.newBuilder();
            if (!forcedScheme.isEmpty()) {
                b.scheme(forcedScheme);
            }
            if (!forcedHost.isEmpty()) {
                b.host(forcedHost);
            }
            next = b.build();
            // The credentials were for the registry; storage has its own signature in the URL.
            current = original.withUrl(next).withoutHeader("Authorization");
            resp = chain.proceed(current);
            if (resp.isSuccessful()) {
                cache.put(original.blobId(), new Cached(next, expiry(next)));
            }
        }
        return resp;
    }

    /** When a presigned URL stops working, per its query, minus a margin; null when unknown. */
    Instant expiry(okhttp3.HttpUrl url) {
        Instant at = null;
        try {
            String amzDate = url.queryParameter("X-Amz-Date");
            String amzExpires = url.queryParameter("X-Amz-Expires");
            String googDate = url.queryParameter("X-Goog-Date");
            String googExpires = url.queryParameter("X-Goog-Expires");
            String expires = url.queryParameter("Expires");
            String se = url.queryParameter("se");
            if (amzDate != null && amzExpires != null) {
                at = AMZ_DATE.parse(amzDate, Instant::from).plusSeconds(Long.parseLong(amzExpires));
            } else if (googDate != null && googExpires != null) {
                at = AMZ_DATE.parse(googDate, Instant::from).plusSeconds(Long.parseLong(googExpires));
            } else if (expires != null && expires.chars().allMatch(Character::isDigit)) {
                at = Instant.ofEpochSecond(Long.parseLong(expires));
            } else if (se != null) {
                at = Instant.parse(se);
            }
        } catch (DateTimeParseException | NumberFormatException | ArithmeticException e) {
            LOG.debug("cannot tell when redirect location {} expires: {}", Redact.url(url), e.toString());
            return null;
        }
        return at == null ? null : at.minus(EXPIRY_MARGIN).truncatedTo(ChronoUnit.SECONDS);
    }
}
