package dev.jnydus.backend.registry;

import dev.jnydus.backend.http.Interceptor;
import dev.jnydus.backend.http.RangeRequest;
import dev.jnydus.backend.http.RangeResponse;
import java.io.IOException;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * With {@code skip_verify}, a registry configured as https that answers a TLS handshake with
 * plain HTTP is used over http from then on (upstream 5.2 "HTTP fallback"). Only a TLS failure
 * towards the registry host itself triggers it; redirect targets and mirrors are left alone.
 */
final class TlsFallbackInterceptor implements Interceptor {
    private static final Logger LOG = LoggerFactory.getLogger(TlsFallbackInterceptor.class);

    private final RegistryUrls urls;

    TlsFallbackInterceptor(RegistryUrls urls) {
        this.urls = urls;
    }

    @Override
    public RangeResponse intercept(Chain chain) throws IOException {
        RangeRequest req = chain.request();
        try {
            return chain.proceed(req);
        } catch (IOException e) {
            if (!req.url().isHttps() || !req.url().host().equals(urls.host()) || !isTls(e)) {
                throw e;
            }
            if (urls.downgrade()) {
                LOG.warn("registry {} does not speak TLS ({}); using http from now on", urls.host(), e.getMessage());
            }
            return chain.proceed(req.withUrl(req.url().newBuilder().scheme("http").build()));
        }
    }

    private static boolean isTls(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof SSLException) {
                return true;
            }
        }
        return false;
    }
}
