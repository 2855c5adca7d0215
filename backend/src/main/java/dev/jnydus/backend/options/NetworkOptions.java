package dev.jnydus.backend.options;

import dev.jnydus.common.UrlRedaction;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The fields every HTTP backend shares (registry, oss, s3, http-proxy).
 *
 * @param skipVerify accept any TLS certificate; for the registry also fall back from https to http
 *     when the server does not speak TLS
 * @param caCertFiles extra PEM CA files trusted besides the system store
 * @param timeout whole-request timeout (default 5 s; zero = none)
 * @param connectTimeout connect timeout (default 5 s; zero = none); also the proxy ping timeout
 * @param retryLimit retries of a failed read. Upstream HEAD ignores it and retries on-demand reads
 *     3 times and prefetch reads once; we do the same when it is 0 (the default) and honour it
 *     otherwise, with back-off
 * @param proxy the Dragonfly / HTTP proxy section
 * @param mirrors the legacy mirror list; exclusive with {@code proxy}
 */
public record NetworkOptions(boolean skipVerify, List<Path> caCertFiles, Duration timeout, Duration connectTimeout,
        int retryLimit, ProxyOptions proxy, List<MirrorOptions> mirrors) {

    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);

    public NetworkOptions {
        caCertFiles = caCertFiles == null ? List.of() : List.copyOf(caCertFiles);
        timeout = timeout == null ? DEFAULT_TIMEOUT : timeout;
        connectTimeout = connectTimeout == null ? DEFAULT_CONNECT_TIMEOUT : connectTimeout;
        proxy = proxy == null ? ProxyOptions.disabled() : proxy;
        mirrors = mirrors == null ? List.of() : List.copyOf(mirrors);
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("timeout must not be negative, got " + timeout);
        }
        if (connectTimeout.isNegative()) {
            throw new IllegalArgumentException("connect_timeout must not be negative, got " + connectTimeout);
        }
        if (retryLimit < 0 || retryLimit > 255) {
            throw new IllegalArgumentException("retry_limit must be in 0..255, got " + retryLimit);
        }
        if (proxy.enabled() && !mirrors.isEmpty()) {
            throw new IllegalArgumentException("proxy '" + UrlRedaction.redact(proxy.url()) + "' and " + mirrors.size()
                    + " mirror(s) cannot be configured at the same time");
        }
    }

    /** Upstream's defaults: verify TLS, 5 s timeouts, HEAD retry policy, no proxy, no mirrors. */
    public static NetworkOptions defaults() {
        return new NetworkOptions(false, List.of(), null, null, 0, null, null);
    }

    public NetworkOptions withTimeouts(Duration newTimeout, Duration newConnectTimeout) {
        return new NetworkOptions(skipVerify, caCertFiles, newTimeout, newConnectTimeout, retryLimit, proxy, mirrors);
    }

    public NetworkOptions withRetryLimit(int newRetryLimit) {
        return new NetworkOptions(skipVerify, caCertFiles, timeout, connectTimeout, newRetryLimit, proxy, mirrors);
    }

    public NetworkOptions withProxy(ProxyOptions newProxy) {
        return new NetworkOptions(skipVerify, caCertFiles, timeout, connectTimeout, retryLimit, newProxy, mirrors);
    }

    public NetworkOptions withMirrors(List<MirrorOptions> newMirrors) {
        return new NetworkOptions(skipVerify, caCertFiles, timeout, connectTimeout, retryLimit, proxy, newMirrors);
    }

    public NetworkOptions withSkipVerify(boolean newSkipVerify) {
        return new NetworkOptions(newSkipVerify, caCertFiles, timeout, connectTimeout, retryLimit, proxy, mirrors);
    }

    public NetworkOptions withCaCertFiles(List<Path> files) {
        return new NetworkOptions(skipVerify, files, timeout, connectTimeout, retryLimit, proxy, mirrors);
    }
}
