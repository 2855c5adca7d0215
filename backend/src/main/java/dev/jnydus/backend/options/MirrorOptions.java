package dev.jnydus.backend.options;

import dev.jnydus.common.UrlRedaction;
import java.time.Duration;
import java.util.Map;

/**
 * One entry of the legacy {@code mirrors} list (upstream up to v2.3.4, still written by older
 * snapshotters and the Dragonfly seed articles).
 *
 * @param host mirror base URL, e.g. {@code http://127.0.0.1:65001}; replaces the origin's scheme, host and port
 * @param pingUrl health-check URL; empty = {@code host + "/v2"}
 * @param headers headers added to requests sent to this mirror, e.g. {@code X-Dragonfly-Registry}
 * @param authThrough true: authentication requests go through the mirror too; false: requests
 *     that carry no credentials yet go to the origin, which hands out the token
 * @param healthCheckInterval time between health checks of a disabled mirror (default 5 s)
 * @param failureLimit transport failures after which the mirror is disabled until a check passes (default 5)
 * @param healthCheckPauseElapsed skip checks after the backend has been idle this long (default 300 s)
 */
public record MirrorOptions(String host, String pingUrl, Map<String, String> headers, boolean authThrough,
        Duration healthCheckInterval, int failureLimit, Duration healthCheckPauseElapsed) {

    public static final Duration DEFAULT_HEALTH_CHECK_INTERVAL = Duration.ofSeconds(5);
    public static final int DEFAULT_FAILURE_LIMIT = 5;
    public static final Duration DEFAULT_HEALTH_CHECK_PAUSE_ELAPSED = Duration.ofSeconds(300);

    public MirrorOptions {
        Secrets.requireNonBlank(host, "mirror host");
        ProxyOptions.requireHttpUrl(host, "mirror host");
        pingUrl = Secrets.orEmpty(pingUrl);
        if (!pingUrl.isEmpty()) {
            ProxyOptions.requireHttpUrl(pingUrl, "mirror ping_url");
        }
        headers = headers == null ? Map.of() : Map.copyOf(headers);
        healthCheckInterval = healthCheckInterval == null ? DEFAULT_HEALTH_CHECK_INTERVAL : healthCheckInterval;
        healthCheckPauseElapsed = healthCheckPauseElapsed == null ? DEFAULT_HEALTH_CHECK_PAUSE_ELAPSED
                : healthCheckPauseElapsed;
        if (healthCheckInterval.isNegative() || healthCheckInterval.isZero()) {
            throw new IllegalArgumentException("mirror health_check_interval must be positive, got "
                    + healthCheckInterval);
        }
        if (failureLimit < 1) {
            throw new IllegalArgumentException("mirror failure_limit must be at least 1, got " + failureLimit);
        }
    }

    /** A mirror at {@code host} with upstream's defaults. */
    public static MirrorOptions of(String host, Map<String, String> headers) {
        return new MirrorOptions(host, "", headers, false, null, DEFAULT_FAILURE_LIMIT, null);
    }

    /** The URL the health check requests. */
    public String effectivePingUrl() {
        return pingUrl.isEmpty() ? stripSlash(host) + "/v2" : pingUrl;
    }

    /** URLs with their user info masked, header names without their values (they may be credentials). */
    @Override
    public String toString() {
        return "MirrorOptions[host=" + UrlRedaction.redact(host) + ", pingUrl=" + UrlRedaction.redact(pingUrl)
                + ", headers=" + new java.util.TreeSet<>(headers.keySet()) + ", authThrough=" + authThrough
                + ", healthCheckInterval=" + healthCheckInterval + ", failureLimit=" + failureLimit
                + ", healthCheckPauseElapsed=" + healthCheckPauseElapsed + "]";
    }

    private static String stripSlash(String s) {
        return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }
}
