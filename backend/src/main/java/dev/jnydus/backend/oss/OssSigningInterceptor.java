package dev.jnydus.backend.oss;

import dev.jnydus.backend.http.Interceptor;
import dev.jnydus.backend.http.RangeRequest;
import dev.jnydus.backend.http.RangeResponse;
import java.io.IOException;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Signs each request, retries included (each attempt gets a fresh {@code Date}), with the OSS
 * header signature. The canonical resource is {@code /<bucket>/<object>}: the object key is the
 * URL path, so a proxy or mirror that changes the host does not change the signature. The
 * {@code Range} header is not signed (OSS does not sign it). Without keys, requests go unsigned,
 * for public-read buckets (upstream signs with empty keys, which OSS refuses).
 */
final class OssSigningInterceptor implements Interceptor {
    private final String accessKeyId;
    private final String accessKeySecret;
    private final String bucket;
    private final Clock clock;

    OssSigningInterceptor(String accessKeyId, String accessKeySecret, String bucket, Clock clock) {
        this.accessKeyId = accessKeyId;
        this.accessKeySecret = accessKeySecret;
        this.bucket = bucket;
        this.clock = clock;
    }

    @Override
    public RangeResponse intercept(Chain chain) throws IOException {
        RangeRequest req = chain.request();
        if (accessKeyId.isEmpty() && accessKeySecret.isEmpty()) {
            return chain.proceed(req);
        }
        String date = OssSigner.httpDate(clock.instant());
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 0; i < req.headers().size(); i++) {
            headers.put(req.headers().name(i), req.headers().value(i));
        }
        String resource = "/" + bucket + "/" + String.join("/", req.url().pathSegments());
        if (req.url().encodedQuery() != null) {
            resource += "?" + req.url().query();
        }
        String sts = OssSigner.stringToSign(req.method(), "", "", date, headers, resource);
        return chain.proceed(req.withHeader("Date", date)
                .withHeader("Authorization", OssSigner.authorization(accessKeyId, accessKeySecret, sts)));
    }
}
