package dev.jnydus.backend.options;

import dev.jnydus.common.UrlRedaction;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;

/**
 * The {@code proxy} section: an HTTP forward proxy, normally Dragonfly's dfdaemon. An empty
 * {@code url} disables it.
 *
 * @param url proxy URL, e.g. {@code http://127.0.0.1:65001}; empty = no proxy
 * @param pingUrl health-check URL; empty = the proxy is assumed healthy and never checked
 * @param fallback go to the origin while the proxy is unhealthy or when it fails
 * @param checkInterval time between health checks (default 5 s)
 * @param useHttp send {@code https://} origin URLs to the proxy as {@code http://}
 * @param checkPauseElapsed skip health checks after the backend has been idle this long (default 300 s)
 * @param dragonflySchedulerEndpoint Dragonfly SDK mode; not supported, requests use the HTTP proxy
 */
public record ProxyOptions(String url, String pingUrl, boolean fallback, Duration checkInterval, boolean useHttp,
        Duration checkPauseElapsed, String dragonflySchedulerEndpoint) {

    public static final Duration DEFAULT_CHECK_INTERVAL = Duration.ofSeconds(5);
    public static final Duration DEFAULT_CHECK_PAUSE_ELAPSED = Duration.ofSeconds(300);

    public ProxyOptions {
        url = Secrets.orEmpty(url);
        pingUrl = Secrets.orEmpty(pingUrl);
        dragonflySchedulerEndpoint = Secrets.orEmpty(dragonflySchedulerEndpoint);
        checkInterval = checkInterval == null ? DEFAULT_CHECK_INTERVAL : checkInterval;
        checkPauseElapsed = checkPauseElapsed == null ? DEFAULT_CHECK_PAUSE_ELAPSED : checkPauseElapsed;
        if (!url.isEmpty()) {
            requireHttpUrl(url, "proxy url");
        }
        if (!pingUrl.isEmpty()) {
            requireHttpUrl(pingUrl, "proxy ping_url");
        }
        if (checkInterval.isNegative() || checkInterval.isZero()) {
            throw new IllegalArgumentException("proxy check_interval must be positive, got " + checkInterval);
        }
    }

    public static ProxyOptions disabled() {
        return new ProxyOptions("", "", true, null, false, null, "");
    }

    /** A proxy at {@code url} with upstream's defaults and no health checks. */
    public static ProxyOptions of(String url) {
        return new ProxyOptions(url, "", true, null, false, null, "");
    }

    public boolean enabled() {
        return !url.isEmpty();
    }

    public ProxyOptions withPing(String newPingUrl, Duration interval) {
        return new ProxyOptions(url, newPingUrl, fallback, interval, useHttp, checkPauseElapsed,
                dragonflySchedulerEndpoint);
    }

    public ProxyOptions withFallback(boolean newFallback) {
        return new ProxyOptions(url, pingUrl, newFallback, checkInterval, useHttp, checkPauseElapsed,
                dragonflySchedulerEndpoint);
    }

    /** Messages quote the URL with its user info masked ({@link UrlRedaction}). */
    static void requireHttpUrl(String url, String what) {
        URI u;
        try {
            u = new URI(url);
        } catch (URISyntaxException e) {
            // The exception's own message quotes the whole input, password included.
            throw new IllegalArgumentException(what + " '" + UrlRedaction.redact(url) + "' is not a URL: "
                    + e.getReason() + (e.getIndex() >= 0 ? " at index " + e.getIndex() : ""));
        }
        if (u.getScheme() == null || !(u.getScheme().equals("http") || u.getScheme().equals("https"))
                || u.getHost() == null) {
            throw new IllegalArgumentException(what + " '" + UrlRedaction.redact(url)
                    + "' must be an http:// or https:// URL with a host");
        }
    }

    @Override
    public String toString() {
        return "ProxyOptions[url=" + UrlRedaction.redact(url) + ", pingUrl=" + UrlRedaction.redact(pingUrl)
                + ", fallback=" + fallback + ", checkInterval=" + checkInterval + ", useHttp=" + useHttp
                + ", checkPauseElapsed=" + checkPauseElapsed + ", dragonflySchedulerEndpoint="
                + UrlRedaction.redact(dragonflySchedulerEndpoint) + "]";
    }
}
