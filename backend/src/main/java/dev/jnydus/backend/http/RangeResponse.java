package dev.jnydus.backend.http;

import java.nio.charset.StandardCharsets;
import java.util.Objects;
import okhttp3.Headers;
import okhttp3.HttpUrl;

/**
 * What came back for a {@link RangeRequest}: the status, the headers, and either the requested
 * bytes (already checked against the range by the transport) or the start of an error body.
 */
public final class RangeResponse {
    private final int code;
    private final Headers headers;
    private final byte[] body;
    private final HttpUrl url;
    private final boolean endOfBlob;

    /**
     * @param body for a successful read, exactly the bytes of the range that exist; otherwise up to a
     *     few KiB of the error body, for messages
     * @param endOfBlob a successful read that reached the end of the blob
     */
    public RangeResponse(int code, Headers headers, byte[] body, HttpUrl url, boolean endOfBlob) {
        this.code = code;
        this.headers = Objects.requireNonNull(headers);
        this.body = Objects.requireNonNull(body);
        this.url = Objects.requireNonNull(url);
        this.endOfBlob = endOfBlob;
    }

    public int code() {
        return code;
    }

    public Headers headers() {
        return headers;
    }

    public String header(String name) {
        return headers.get(name);
    }

    /** The data of a successful read; the error text of a failed one. Do not modify. */
    public byte[] body() {
        return body;
    }

    /** The URL that answered. */
    public HttpUrl url() {
        return url;
    }

    public boolean endOfBlob() {
        return endOfBlob;
    }

    /** 2xx. */
    public boolean isSuccessful() {
        return code >= 200 && code < 300;
    }

    public boolean isRedirect() {
        return code >= 300 && code < 400 && header("Location") != null;
    }

    /** The start of the error body as text, for messages; bodies never hold data on error. */
    public String errorText() {
        String s = new String(body, 0, Math.min(body.length, 512), StandardCharsets.UTF_8).strip();
        return s.replaceAll("\\s+", " ");
    }

    /** Dragonfly's dfdaemon marks its own refusals (429 rate limit, 403 forbidden) with this header. */
    public boolean isProxyError() {
        return "proxy".equalsIgnoreCase(header("X-Dragonfly-Error-Type"));
    }

    @Override
    public String toString() {
        return "RangeResponse[" + code + " from " + Redact.url(url) + ", " + body.length + " bytes]";
    }
}
