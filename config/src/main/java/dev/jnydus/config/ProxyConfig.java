package dev.jnydus.config;

import dev.jnydus.common.UrlRedaction;
import java.util.Objects;

/**
 * HTTP proxy in front of a network backend, typically a Dragonfly dfdaemon (spec 2.4 "proxy").
 *
 * @param url proxy URL; empty disables the proxy
 * @param pingUrl health-check URL; empty means "always healthy", no checker runs
 * @param fallback go straight to the origin while the proxy is unhealthy or fails
 * @param checkInterval seconds between health checks
 * @param useHttp rewrite https origin URLs to http when sending through the proxy
 * @param checkPauseElapsed pause health checks after this many idle seconds
 * @param dragonflySchedulerEndpoint non-empty selects Dragonfly SDK mode
 */
public record ProxyConfig(String url, String pingUrl, boolean fallback, long checkInterval,
                          boolean useHttp, long checkPauseElapsed, String dragonflySchedulerEndpoint) {
    public static final ProxyConfig DEFAULT = new ProxyConfig("", "", true, 5, false, 300, "");

    public ProxyConfig {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(pingUrl, "pingUrl");
        Objects.requireNonNull(dragonflySchedulerEndpoint, "dragonflySchedulerEndpoint");
    }

    public boolean enabled() {
        return !url.isEmpty();
    }

    ProxyConfig withoutSecrets() {
        return new ProxyConfig(UrlRedaction.redact(url), UrlRedaction.redact(pingUrl), fallback, checkInterval,
                useHttp, checkPauseElapsed, UrlRedaction.redact(dragonflySchedulerEndpoint));
    }

    /** URLs with their user info masked. */
    @Override
    public String toString() {
        return "ProxyConfig[url=" + UrlRedaction.redact(url) + ", pingUrl=" + UrlRedaction.redact(pingUrl)
                + ", fallback=" + fallback + ", checkInterval=" + checkInterval + ", useHttp=" + useHttp
                + ", checkPauseElapsed=" + checkPauseElapsed + ", dragonflySchedulerEndpoint="
                + UrlRedaction.redact(dragonflySchedulerEndpoint) + "]";
    }
}
