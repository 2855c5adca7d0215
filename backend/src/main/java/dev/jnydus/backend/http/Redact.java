package dev.jnydus.backend.http;

import dev.jnydus.common.UrlRedaction;
import okhttp3.HttpUrl;

/**
 * The one place that decides what of a request may appear in a log line or an exception message.
 * Redirect locations and presigned URLs carry signatures in their query, which is dropped; URLs may
 * carry user info, whose secret part is masked ({@code user:***@}, see {@link UrlRedaction}).
 * Headers never appear at all.
 */
public final class Redact {
    private Redact() {
    }

    /** Scheme, host, port and path; no user info, no query, no fragment. */
    public static String url(HttpUrl url) {
        StringBuilder b = new StringBuilder();
        b.append(url.scheme()).append("://");
        if (!url.username().isEmpty() || !url.password().isEmpty()) {
            b.append(UrlRedaction.userInfo(url.password().isEmpty() ? url.username()
                    : url.username() + ":" + url.password())).append('@');
        }
        b.append(url.host());
        if (url.port() != HttpUrl.defaultPort(url.scheme())) {
            b.append(':').append(url.port());
        }
        b.append(url.encodedPath());
        if (url.encodedQuery() != null) {
            b.append("?<redacted>");
        }
        return b.toString();
    }

    /** As {@link #url(HttpUrl)} for a string that may not parse. */
    public static String url(String url) {
        HttpUrl u = HttpUrl.parse(url);
        if (u == null) {
            int q = url.indexOf('?');
            return UrlRedaction.redact(q < 0 ? url : url.substring(0, q) + "?<redacted>");
        }
        return url(u);
    }
}
