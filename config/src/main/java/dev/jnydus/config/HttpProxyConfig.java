package dev.jnydus.config;

import dev.jnydus.common.UrlRedaction;
import java.util.Objects;

/**
 * A local HTTP blob server (spec 2.4 {@code http-proxy}).
 *
 * @param addr {@code http://...}, {@code https://...} or an absolute Unix socket path
 * @param path URL path prefix for blobs, such as {@code /namespace/repo/blobs}
 */
public record HttpProxyConfig(String addr, String path, ConnectionConfig connection)
        implements BackendConfig {
    public HttpProxyConfig {
        Objects.requireNonNull(addr, "addr");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(connection, "connection");
    }

    @Override
    public String type() {
        return HTTP_PROXY;
    }

    HttpProxyConfig withoutSecrets() {
        return new HttpProxyConfig(UrlRedaction.redact(addr), path, connection.withoutSecrets());
    }

    @Override
    public String toString() {
        return "HttpProxyConfig[addr=" + UrlRedaction.redact(addr) + ", path=" + path + ", connection=" + connection
                + "]";
    }
}
