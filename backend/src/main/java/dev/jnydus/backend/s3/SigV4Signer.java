package dev.jnydus.backend.s3;

import dev.jnydus.backend.codec.ChunkDigest;
import dev.jnydus.common.Hex;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * AWS Signature Version 4 for a request without a body, as the AWS documentation specifies it:
 *
 * <pre>
 * CanonicalRequest = Method \n CanonicalURI \n CanonicalQuery \n CanonicalHeaders \n SignedHeaders \n PayloadHash
 * StringToSign     = "AWS4-HMAC-SHA256" \n AmzDate \n Scope \n hex(sha256(CanonicalRequest))
 * SigningKey       = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, yyyyMMdd), region), service), "aws4_request")
 * Signature        = hex(HMAC(SigningKey, StringToSign))
 * </pre>
 *
 * The canonical URI encodes each path segment once (S3 does not double-encode). Pure functions;
 * the tests check them against AWS's published "GET object" example.
 */
public final class SigV4Signer {
    /** SHA-256 of the empty payload. */
    public static final String EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    public static final DateTimeFormatter AMZ_DATE = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
            .withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyyMMdd").withZone(ZoneOffset.UTC);

    /** The parts of one signature, for tests and for building the header. */
    public record Signed(String canonicalRequest, String stringToSign, String signedHeaders, String signature,
            String authorization) {
        @Override
        public String toString() {
            return "Signed[signedHeaders=" + signedHeaders + "]";
        }
    }

    private SigV4Signer() {
    }

    public static String amzDate(Instant t) {
        return AMZ_DATE.format(t);
    }

    /**
     * Signs a request.
     *
     * @param path the decoded path, e.g. {@code /bucket/prefix/blob}
     * @param query decoded query parameters (name, value); may be empty
     * @param headers the headers to sign (names in any case); must include host and x-amz-date
     */
    public static Signed sign(String method, String path, List<Map.Entry<String, String>> query,
            Map<String, String> headers, String payloadHash, Instant when, String region, String service,
            String accessKeyId, String secretKey) {
        SortedMap<String, String> canon = new TreeMap<>();
        headers.forEach((k, v) -> canon.merge(k.toLowerCase(Locale.ROOT).trim(), v.trim().replaceAll("\\s+", " "),
                (a, b) -> a + "," + b));
        String signedHeaders = String.join(";", canon.keySet());
        StringBuilder ch = new StringBuilder();
        canon.forEach((k, v) -> ch.append(k).append(':').append(v).append('\n'));
        String canonicalRequest = method + "\n" + canonicalUri(path) + "\n" + canonicalQuery(query) + "\n" + ch
                + "\n" + signedHeaders + "\n" + payloadHash;
        String day = DAY.format(when);
        String scope = day + "/" + region + "/" + service + "/aws4_request";
        String stringToSign = "AWS4-HMAC-SHA256\n" + amzDate(when) + "\n" + scope + "\n"
                + Hex.of(sha256(canonicalRequest.getBytes(StandardCharsets.UTF_8)));
        byte[] key = hmac(("AWS4" + secretKey).getBytes(StandardCharsets.UTF_8), day);
        key = hmac(key, region);
        key = hmac(key, service);
        key = hmac(key, "aws4_request");
        String signature = Hex.of(hmac(key, stringToSign));
        String authorization = "AWS4-HMAC-SHA256 Credential=" + accessKeyId + "/" + scope + ", SignedHeaders="
                + signedHeaders + ", Signature=" + signature;
        return new Signed(canonicalRequest, stringToSign, signedHeaders, signature, authorization);
    }

    static String canonicalUri(String path) {
        String p = path.startsWith("/") ? path.substring(1) : path;
        StringBuilder b = new StringBuilder();
        for (String seg : p.split("/", -1)) {
            b.append('/').append(encode(seg));
        }
        return b.toString();
    }

    static String canonicalQuery(List<Map.Entry<String, String>> query) {
        TreeMap<String, String> sorted = new TreeMap<>();
        for (Map.Entry<String, String> e : query) {
            sorted.put(encode(e.getKey()), encode(e.getValue() == null ? "" : e.getValue()));
        }
        StringBuilder b = new StringBuilder();
        sorted.forEach((k, v) -> {
            if (b.length() > 0) {
                b.append('&');
            }
            b.append(k).append('=').append(v);
        });
        return b.toString();
    }

    /** RFC 3986 percent-encoding of everything but the unreserved characters, upper-case hex. */
    static String encode(String s) {
        StringBuilder b = new StringBuilder();
        for (byte c : s.getBytes(StandardCharsets.UTF_8)) {
            int u = c & 0xff;
            if ((u >= 'A' && u <= 'Z') || (u >= 'a' && u <= 'z') || (u >= '0' && u <= '9') || u == '-' || u == '_'
                    || u == '.' || u == '~') {
                b.append((char) u);
            } else {
                b.append('%').append(Character.toUpperCase(Character.forDigit(u >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(u & 0xf, 16)));
            }
        }
        return b.toString();
    }

    static byte[] sha256(byte[] data) {
        return ChunkDigest.sha256().digest(data);
    }

    private static byte[] hmac(byte[] key, String data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK lacks HmacSHA256", e);
        }
    }
}
