package dev.jnydus.backend.s3;

import dev.jnydus.backend.http.Interceptor;
import dev.jnydus.backend.http.RangeRequest;
import dev.jnydus.backend.http.RangeResponse;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import okhttp3.HttpUrl;

/**
 * Signs each request (retries get a fresh date) with SigV4. Signed: {@code host},
 * {@code range} for reads, {@code x-amz-content-sha256} (the empty payload) and
 * {@code x-amz-date}, plus any other {@code x-amz-*} header. Headers a proxy or mirror step added
 * ({@code X-Dragonfly-*}, mirror headers) and {@code NYDUS_HEADER_*} stay unsigned, since a proxy may
 * rewrite them on the way.
 *
 * <p>{@code Host} carries the port when it is not the scheme's default, which is what is actually
 * sent; upstream drops the port and so fails against S3-compatible servers on other ports.
 * Without keys, requests go unsigned (public buckets).
 */
final class S3SigningInterceptor implements Interceptor {
    private final String accessKeyId;
    private final String secretKey;
    private final String region;
    private final Clock clock;

    S3SigningInterceptor(String accessKeyId, String secretKey, String region, Clock clock) {
        this.accessKeyId = accessKeyId;
        this.secretKey = secretKey;
        this.region = region;
        this.clock = clock;
    }

    static String hostHeader(HttpUrl url) {
        return url.port() == HttpUrl.defaultPort(url.scheme()) ? url.host() : url.host() + ":" + url.port();
    }

    @Override
    public RangeResponse intercept(Chain chain) throws IOException {
        RangeRequest req = chain.request();
        if (accessKeyId.isEmpty() && secretKey.isEmpty()) {
            return chain.proceed(req);
        }
        Instant now = clock.instant();
        String host = hostHeader(req.url());
        String amzDate = SigV4Signer.amzDate(now);
        Map<String, String> signed = new LinkedHashMap<>();
        signed.put("host", host);
        if (req.rangeHeader() != null) {
            signed.put("range", req.rangeHeader());
        }
        for (int i = 0; i < req.headers().size(); i++) {
            String n = req.headers().name(i).toLowerCase(Locale.ROOT);
            if (n.startsWith("x-amz-")) {
                signed.put(n, req.headers().value(i));
            }
        }
        signed.put("x-amz-content-sha256", SigV4Signer.EMPTY_SHA256);
        signed.put("x-amz-date", amzDate);
        List<Map.Entry<String, String>> query = new ArrayList<>();
        for (int i = 0; i < req.url().querySize(); i++) {
            query.add(new AbstractMap.SimpleEntry<>(req.url().queryParameterName(i), req.url().queryParameterValue(i)));
        }
        String path = "/" + String.join("/", req.url().pathSegments());
        SigV4Signer.Signed s = SigV4Signer.sign(req.method(), path, query, signed, SigV4Signer.EMPTY_SHA256, now,
                region, "s3", accessKeyId, secretKey);
        return chain.proceed(req.withHeader("Host", host)
                .withHeader("x-amz-date", amzDate)
                .withHeader("x-amz-content-sha256", SigV4Signer.EMPTY_SHA256)
                .withHeader("Authorization", s.authorization()));
    }
}
