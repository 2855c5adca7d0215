package dev.jnydus.config;

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

    /** Header values may carry credentials, so only the names are printed. */
    @Override
    public String toString() {
        return "MirrorConfig[host=" + host + ", pingUrl=" + pingUrl + ", headers=" + headers.keySet()
                + ", healthCheckInterval=" + healthCheckInterval + ", failureLimit=" + failureLimit
                + ", healthCheckPauseElapsed=" + healthCheckPauseElapsed + ", authThrough="
                + authThrough + "]";
    }
}
