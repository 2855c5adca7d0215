package dev.jnydus.backend.oss;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The OSS V1 header signature, as Alibaba Cloud documents it:
 *
 * <pre>
 * Authorization = "OSS " + AccessKeyId + ":" + base64(hmac-sha1(AccessKeySecret,
 *     VERB + "\n" + Content-MD5 + "\n" + Content-Type + "\n" + Date + "\n"
 *     + CanonicalizedOSSHeaders + CanonicalizedResource))
 * </pre>
 *
 * where CanonicalizedOSSHeaders are the {@code x-oss-*} headers, names lower-cased, sorted, each
 * as {@code name:value\n}. Pure functions; the tests check them against the documented example.
 */
public final class OssSigner {
    /** RFC 7231 HTTP-date with a two-digit day, as the Date header wants it. */
    public static final DateTimeFormatter HTTP_DATE = DateTimeFormatter
            .ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US).withZone(ZoneOffset.UTC);

    private OssSigner() {
    }

    public static String httpDate(Instant t) {
        return HTTP_DATE.format(t);
    }

    /** The canonical {@code x-oss-*} header block (empty, or lines each ending in a newline). */
    public static String canonicalOssHeaders(Map<String, String> headers) {
        TreeMap<String, String> oss = new TreeMap<>();
        headers.forEach((k, v) -> {
            String name = k.toLowerCase(Locale.ROOT).trim();
            if (name.startsWith("x-oss-")) {
                oss.merge(name, v.trim(), (a, b) -> a + "," + b);
            }
        });
        StringBuilder b = new StringBuilder();
        oss.forEach((k, v) -> b.append(k).append(':').append(v).append('\n'));
        return b.toString();
    }

    public static String stringToSign(String verb, String contentMd5, String contentType, String date,
            Map<String, String> headers, String canonicalResource) {
        return verb + "\n" + contentMd5 + "\n" + contentType + "\n" + date + "\n" + canonicalOssHeaders(headers)
                + canonicalResource;
    }

    public static String signature(String accessKeySecret, String stringToSign) {
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(accessKeySecret.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
            return Base64.getEncoder().encodeToString(mac.doFinal(stringToSign.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK lacks HmacSHA1", e);
        }
    }

    public static String authorization(String accessKeyId, String accessKeySecret, String stringToSign) {
        return "OSS " + accessKeyId + ":" + signature(accessKeySecret, stringToSign);
    }
}
