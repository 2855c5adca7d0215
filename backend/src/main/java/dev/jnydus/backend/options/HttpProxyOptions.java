package dev.jnydus.backend.options;

import dev.jnydus.common.UrlRedaction;

/**
 * The {@code http-proxy} backend: blobs at {@code addr + path + "/" + blob_id} over HTTP(S).
 * Upstream also accepts a Unix socket path as {@code addr} (one blob per socket, the id is never
 * sent); that form is refused at creation with a clear message.
 */
public record HttpProxyOptions(String addr, String path, NetworkOptions network) implements BackendOptions {

    public HttpProxyOptions {
        Secrets.requireNonBlank(addr, "http-proxy addr");
        path = Secrets.orEmpty(path);
        network = network == null ? NetworkOptions.defaults() : network;
        boolean remote = addr.startsWith("http://") || addr.startsWith("https://");
        if (!remote && !addr.startsWith("/")) {
            throw new IllegalArgumentException("http-proxy addr '" + UrlRedaction.redact(addr)
                    + "' must start with http:// or https://, or be an absolute Unix socket path");
        }
        if (!path.isEmpty() && !path.startsWith("/")) {
            throw new IllegalArgumentException("http-proxy path '" + path + "' must start with /");
        }
    }

    @Override
    public String type() {
        return "http-proxy";
    }

    public boolean unixSocket() {
        return addr.startsWith("/");
    }

    @Override
    public String toString() {
        return "HttpProxyOptions[addr=" + UrlRedaction.redact(addr) + ", path=" + path + ", network=" + network + "]";
    }
}
