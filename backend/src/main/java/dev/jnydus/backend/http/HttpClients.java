package dev.jnydus.backend.http;

import dev.jnydus.backend.BackendException;
import dev.jnydus.backend.options.NetworkOptions;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import okhttp3.ConnectionPool;
import okhttp3.Headers;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;

/**
 * Builds the OkHttp clients of one backend from its network options: timeouts, TLS trust, no
 * automatic redirects (the redirect interceptor follows them), no silent OkHttp retries (the retry
 * interceptor retries), and never the system proxy settings (upstream ignores them; the proxy is
 * the configured one or none).
 */
public final class HttpClients {
    /** Upstream sends this on every request. */
    public static final String USER_AGENT = "nydusd/1.0.0";
    /** Environment variables with this prefix become request headers, as upstream. */
    public static final String HEADER_ENV_PREFIX = "NYDUS_HEADER_";

    private HttpClients() {
    }

    /** A client that connects directly. */
    public static OkHttpClient direct(NetworkOptions net) throws BackendException {
        return base(net, new ConnectionPool()).proxy(Proxy.NO_PROXY).build();
    }

    /** A client that sends everything through {@code proxy}, sharing {@code like}'s pool. */
    public static OkHttpClient viaProxy(OkHttpClient like, Proxy proxy) {
        return like.newBuilder().proxy(proxy).build();
    }

    /** The HTTP proxy at {@code proxyUrl}; refused when it is not a URL. */
    public static Proxy proxy(String proxyUrl) throws BackendException {
        HttpUrl u = HttpUrl.parse(proxyUrl);
        if (u == null) {
            throw new BackendException("proxy url '" + Redact.url(proxyUrl) + "' is not a URL");
        }
        return new Proxy(Proxy.Type.HTTP, InetSocketAddress.createUnresolved(u.host(), u.port()));
    }

    /** A client for health checks: the connect timeout bounds the whole ping, as upstream. */
    public static OkHttpClient pinger(OkHttpClient like, Duration timeout) {
        long ms = timeout.toMillis();
        return like.newBuilder().callTimeout(ms, TimeUnit.MILLISECONDS).proxy(Proxy.NO_PROXY).build();
    }

    /** The headers every request carries: the user agent and any {@code NYDUS_HEADER_<name>=<value>}. */
    public static Headers defaultHeaders(Map<String, String> env) {
        Headers.Builder b = new Headers.Builder().set("User-Agent", USER_AGENT);
        env.forEach((k, v) -> {
            if (k.startsWith(HEADER_ENV_PREFIX) && k.length() > HEADER_ENV_PREFIX.length()) {
                try {
                    b.set(k.substring(HEADER_ENV_PREFIX.length()), v);
                } catch (IllegalArgumentException ignored) {
                    // Upstream skips names or values that are not valid in a header.
                }
            }
        });
        return b.build();
    }

    /** Releases idle connections and threads; calls in flight fail. */
    public static void shutdown(OkHttpClient client) {
        client.dispatcher().executorService().shutdown();
        client.connectionPool().evictAll();
    }

    private static OkHttpClient.Builder base(NetworkOptions net, ConnectionPool pool) throws BackendException {
        OkHttpClient.Builder b = new OkHttpClient.Builder()
                .connectionPool(pool)
                .followRedirects(false)
                .followSslRedirects(false)
                .retryOnConnectionFailure(false)
                .connectTimeout(net.connectTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .callTimeout(net.timeout().toMillis(), TimeUnit.MILLISECONDS)
                .readTimeout(net.timeout().toMillis(), TimeUnit.MILLISECONDS)
                .writeTimeout(net.timeout().toMillis(), TimeUnit.MILLISECONDS);
        if (net.skipVerify()) {
            X509TrustManager all = trustAll();
            b.sslSocketFactory(sslContext(all).getSocketFactory(), all).hostnameVerifier((h, s) -> true);
        } else if (!net.caCertFiles().isEmpty()) {
            X509TrustManager tm = withExtraCas(net.caCertFiles());
            b.sslSocketFactory(sslContext(tm).getSocketFactory(), tm);
        }
        return b;
    }

    private static SSLContext sslContext(X509TrustManager tm) throws BackendException {
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, new TrustManager[] {tm}, new SecureRandom());
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new BackendException("cannot set up TLS: " + e, e);
        }
    }

    private static X509TrustManager trustAll() {
        return new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {
                // skip_verify: accept anything, on purpose.
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {
                // skip_verify: accept anything, on purpose.
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        };
    }

    /** The system CAs plus each certificate in the PEM files. */
    private static X509TrustManager withExtraCas(Iterable<Path> files) throws BackendException {
        try {
            KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
            ks.load(null, null);
            int i = 0;
            for (X509Certificate c : systemTrustManager(null).getAcceptedIssuers()) {
                ks.setCertificateEntry("system-" + i++, c);
            }
            CertificateFactory cf = CertificateFactory.getInstance("X.509");
            for (Path f : files) {
                try (InputStream in = Files.newInputStream(f)) {
                    for (Certificate c : cf.generateCertificates(in)) {
                        ks.setCertificateEntry("extra-" + i++, c);
                    }
                } catch (IOException e) {
                    throw new BackendException("cannot read CA file " + f + ": " + e, e);
                }
            }
            return systemTrustManager(ks);
        } catch (GeneralSecurityException | IOException e) {
            throw new BackendException("cannot load CA files " + files + ": " + e, e);
        }
    }

    private static X509TrustManager systemTrustManager(KeyStore ks) throws GeneralSecurityException {
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        for (TrustManager tm : tmf.getTrustManagers()) {
            if (tm instanceof X509TrustManager x) {
                return x;
            }
        }
        throw new GeneralSecurityException("no X509TrustManager available");
    }
}
