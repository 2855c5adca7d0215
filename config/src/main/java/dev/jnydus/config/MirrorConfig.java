package dev.jnydus.config;

import dev.jnydus.common.UrlRedaction;
import java.util.Map;
import java.util.Objects;

/**
 * A legacy registry mirror (spec 2.8; accepted by nydusd up to v2.3.4, silently ignored by HEAD).
 * Parsed so that a backend may implement spec 5.4 for old snapshotters; a malformed
 * {@code mirrors} value is dropped with a warning instead of failing the document, as HEAD
 * does not read the key at all.
 *
 * @param pingUrl health-check URL; empty means {@code <host>/v2}
 */
public record MirrorConfig(String host, String pingUrl, Map<String, String> headers,
                           long healthCheckInterval, int failureLimit, long healthCheckPauseElapsed,
                           boolean authThrough) {
    public MirrorConfig {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(pingUrl, "pingUrl");
        headers = Map.copyOf(headers);
    }

    MirrorConfig withoutSecrets() {
        return new MirrorConfig(UrlRedaction.redact(host), UrlRedaction.redact(pingUrl), headers,
                healthCheckInterval, failureLimit, healthCheckPauseElapsed, authThrough);
    }

    /** Header values may carry credentials, so only the names are printed; URLs lose their user info. */
    @Override
    public String toString() {
        return "MirrorConfig[host=" + UrlRedaction.redact(host) + ", pingUrl=" + UrlRedaction.redact(pingUrl)
                + ", headers=" + headers.keySet()
                + ", healthCheckInterval=" + healthCheckInterval + ", failureLimit=" + failureLimit
                + ", healthCheckPauseElapsed=" + healthCheckPauseElapsed + ", authThrough="
                + authThrough + "]";
    }
}
