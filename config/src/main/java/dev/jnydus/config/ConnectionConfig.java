package dev.jnydus.config;

import java.util.List;
import java.util.Objects;

/**
 * The network fields shared by the registry, OSS, S3 and http-proxy backends. Upstream repeats
 * them in each backend struct and the documents keep them flat; here they are one record so the
 * HTTP layer reads them in one place.
 *
 * @param skipVerify accept any TLS certificate (registry: also allow https→http fallback)
 * @param caCertFiles extra PEM CA files trusted besides the system store
 * @param timeout whole-request timeout in seconds, 0 = none
 * @param connectTimeout connect timeout in seconds, 0 = none; also the proxy ping timeout
 * @param retryLimit retries on read failure (ignored by upstream HEAD, spec 2.4)
 * @param mirrors legacy mirrors, see {@link MirrorConfig}
 */
public record ConnectionConfig(boolean skipVerify, List<String> caCertFiles, long timeout,
                               long connectTimeout, int retryLimit, ProxyConfig proxy,
                               List<MirrorConfig> mirrors) {
    public static final long DEFAULT_TIMEOUT_SECS = 5;
    public static final ConnectionConfig DEFAULT = new ConnectionConfig(false, List.of(),
            DEFAULT_TIMEOUT_SECS, DEFAULT_TIMEOUT_SECS, 0, ProxyConfig.DEFAULT, List.of());

    public ConnectionConfig {
        caCertFiles = List.copyOf(caCertFiles);
        Objects.requireNonNull(proxy, "proxy");
        mirrors = List.copyOf(mirrors);
    }

    /** The same connection with the user info of its proxy and mirror URLs masked. */
    ConnectionConfig withoutSecrets() {
        List<MirrorConfig> m = new java.util.ArrayList<>();
        for (MirrorConfig x : mirrors) {
            m.add(x.withoutSecrets());
        }
        return new ConnectionConfig(skipVerify, caCertFiles, timeout, connectTimeout, retryLimit,
                proxy.withoutSecrets(), m);
    }
}
