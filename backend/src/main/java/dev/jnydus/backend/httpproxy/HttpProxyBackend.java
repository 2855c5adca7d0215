package dev.jnydus.backend.httpproxy;

import dev.jnydus.backend.BackendEnvironment;
import dev.jnydus.backend.BackendException;
import dev.jnydus.backend.http.HttpBackendCore;
import dev.jnydus.backend.http.HttpBlobBackend;
import dev.jnydus.backend.options.HttpProxyOptions;
import dev.jnydus.common.Errno;
import dev.jnydus.common.UrlRedaction;
import okhttp3.HttpUrl;

/**
 * The remote form of upstream's {@code http-proxy} backend (nydusd-interface 5.7): {@code HEAD}
 * for the size, ranged {@code GET} for data, through the common chain including {@code proxy}
 * settings. The Unix-socket form (one blob per socket, the id never sent) is refused when the
 * backend is created.
 */
public final class HttpProxyBackend extends HttpBlobBackend {
    private final HttpUrl base;

    private HttpProxyBackend(HttpBackendCore core, HttpUrl base) {
        super(core);
        this.base = base;
    }

    public static HttpProxyBackend create(HttpProxyOptions o, BackendEnvironment env) throws BackendException {
        if (o.unixSocket()) {
            throw new BackendException(Errno.EOPNOTSUPP, "http-proxy over a Unix socket (addr '" + UrlRedaction.redact(o.addr())
                    + "') is not supported; use an http:// or https:// addr", null);
        }
        HttpUrl addr = HttpUrl.parse(o.addr());
        if (addr == null) {
            throw new BackendException(Errno.EINVAL, "http-proxy addr '" + UrlRedaction.redact(o.addr())
                    + "' is not a URL", null);
        }
        HttpUrl.Builder b = addr.newBuilder();
        String path = o.path();
        while (path.startsWith("/")) {
            path = path.substring(1);
        }
        if (!path.isEmpty()) {
            b.addPathSegments(path);
        }
        return new HttpProxyBackend(HttpBackendCore.withAuth("http-proxy", o.network(), env), b.build());
    }

    @Override
    protected HttpUrl url(String blobId) {
        return base.newBuilder().addPathSegment(blobId).build();
    }
}
