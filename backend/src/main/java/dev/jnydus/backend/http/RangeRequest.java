package dev.jnydus.backend.http;

import dev.jnydus.backend.RangeProgress;
import dev.jnydus.backend.RequestSource;
import java.util.Objects;
import okhttp3.Headers;
import okhttp3.HttpUrl;

/**
 * One request for blob bytes (or the blob's size), as it travels down the interceptor chain.
 * Immutable: an interceptor that changes something proceeds with a copy.
 */
public final class RangeRequest {

    /** What the request is for. */
    public enum Kind {
        /** A ranged GET for {@code [offset, offset + length)}. */
        READ,
        /** A HEAD for the blob size. */
        SIZE
    }

    /** Which way the transport sends it. */
    public enum Route {
        /** Not decided yet: the fallback interceptor may send it through the proxy or a mirror. */
        DEFAULT,
        /** Straight to the URL, bypassing proxy and mirrors (the last retry of a read, token requests). */
        DIRECT,
        /** Through the configured HTTP proxy (dfdaemon). Only the proxy interceptor sets this. */
        PROXY
    }

    private final Kind kind;
    private final HttpUrl url;
    private final Headers headers;
    private final long offset;
    private final int length;
    private final String blobId;
    private final RequestSource source;
    private final Route route;
    private final RangeProgress progress;
    private final byte[] target;

    private RangeRequest(Kind kind, HttpUrl url, Headers headers, long offset, int length, String blobId,
            RequestSource source, Route route, RangeProgress progress, byte[] target) {
        this.kind = Objects.requireNonNull(kind);
        this.url = Objects.requireNonNull(url);
        this.headers = Objects.requireNonNull(headers);
        this.offset = offset;
        this.length = length;
        this.blobId = Objects.requireNonNull(blobId);
        this.source = Objects.requireNonNull(source);
        this.route = Objects.requireNonNull(route);
        this.progress = Objects.requireNonNull(progress);
        this.target = target;
    }

    /** A ranged read of {@code length > 0} bytes from {@code offset}. */
    public static RangeRequest read(String blobId, HttpUrl url, long offset, int length, RequestSource source) {
        if (offset < 0 || length <= 0 || offset + length < 0) {
            throw new IllegalArgumentException("bad range: offset " + offset + ", length " + length);
        }
        return new RangeRequest(Kind.READ, url, Headers.of(), offset, length, blobId, source, Route.DEFAULT,
                RangeProgress.NONE, null);
    }

    /** A HEAD request for the blob size. */
    public static RangeRequest size(String blobId, HttpUrl url) {
        return new RangeRequest(Kind.SIZE, url, Headers.of(), 0, 0, blobId, RequestSource.ON_DEMAND, Route.DEFAULT,
                RangeProgress.NONE, null);
    }

    public Kind kind() {
        return kind;
    }

    public String method() {
        return kind == Kind.READ ? "GET" : "HEAD";
    }

    public HttpUrl url() {
        return url;
    }

    public Headers headers() {
        return headers;
    }

    public String header(String name) {
        return headers.get(name);
    }

    public long offset() {
        return offset;
    }

    public int length() {
        return length;
    }

    /** The value of the {@code Range} header, or null for a size request. */
    public String rangeHeader() {
        return kind == Kind.READ ? "bytes=" + offset + "-" + (offset + length - 1) : null;
    }

    public String blobId() {
        return blobId;
    }

    public RequestSource source() {
        return source;
    }

    public Route route() {
        return route;
    }

    public RangeRequest withUrl(HttpUrl newUrl) {
        return new RangeRequest(kind, newUrl, headers, offset, length, blobId, source, route, progress, target);
    }

    public RangeRequest withHeader(String name, String value) {
        return new RangeRequest(kind, url, headers.newBuilder().set(name, value).build(), offset, length, blobId,
                source, route, progress, target);
    }

    public RangeRequest withHeaders(Headers extra) {
        Headers.Builder b = headers.newBuilder();
        for (int i = 0; i < extra.size(); i++) {
            b.set(extra.name(i), extra.value(i));
        }
        return new RangeRequest(kind, url, b.build(), offset, length, blobId, source, route, progress, target);
    }

    public RangeRequest withoutHeader(String name) {
        if (headers.get(name) == null) {
            return this;
        }
        return new RangeRequest(kind, url, headers.newBuilder().removeAll(name).build(), offset, length, blobId,
                source, route, progress, target);
    }

    public RangeRequest withRoute(Route newRoute) {
        return new RangeRequest(kind, url, headers, offset, length, blobId, source, newRoute, progress, target);
    }

    /** Who is told as the body's bytes arrive (a read's; {@link RangeProgress#NONE} by default). */
    public RangeProgress progress() {
        return progress;
    }

    public RangeRequest withProgress(RangeProgress newProgress) {
        return new RangeRequest(kind, url, headers, offset, length, blobId, source, route, newProgress, target);
    }

    /**
     * An array of exactly {@link #length()} bytes the transport may fill with the range's bytes
     * instead of allocating one (the caller's own buffer: no copy of a fetched range); null when
     * there is none. A retried request fills it again from its start.
     */
    public byte[] target() {
        return target;
    }

    public RangeRequest withTarget(byte[] newTarget) {
        if (newTarget != null && newTarget.length != length) {
            throw new IllegalArgumentException("target of " + newTarget.length + " bytes for a range of " + length);
        }
        return new RangeRequest(kind, url, headers, offset, length, blobId, source, route, progress, newTarget);
    }

    /** For messages: method, URL without its query, and the range. Never headers. */
    public String describe() {
        String what = kind == Kind.READ ? " [" + offset + ", " + (offset + length) + ")" : " (size)";
        return method() + " " + Redact.url(url) + what;
    }

    @Override
    public String toString() {
        return "RangeRequest[" + describe() + ", blob " + blobId + ", " + source + ", " + route + "]";
    }
}
