package dev.jnydus.backend.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jnydus.backend.BlobBackend;
import dev.jnydus.backend.BackendException;
import dev.jnydus.backend.BackendFactory;
import dev.jnydus.backend.TestEnv;
import dev.jnydus.backend.options.HttpProxyOptions;
import dev.jnydus.backend.options.NetworkOptions;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import okhttp3.mockwebserver.Dispatcher;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code skip_verify} and {@code ca_cert_files} against an HTTPS server with a self-signed certificate. */
class TlsOptionsTest {
    @TempDir
    Path dir;
    private final MockWebServer server = new MockWebServer();
    private final TestEnv test = new TestEnv();
    private Path caPem;

    @BeforeEach
    void start() throws Exception {
        Path p12 = dir.resolve("server.p12");
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        Process kt = new ProcessBuilder(keytool, "-genkeypair", "-alias", "srv", "-keyalg", "EC", "-groupname",
                "secp256r1", "-dname", "CN=127.0.0.1", "-ext", "SAN=ip:127.0.0.1", "-validity", "2", "-storetype",
                "PKCS12", "-keystore", p12.toString(), "-storepass", "changeit", "-keypass", "changeit")
                .redirectErrorStream(true).start();
        String out = new String(kt.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(kt.waitFor()).as(out).isZero();
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(p12)) {
            ks.load(in, "changeit".toCharArray());
        }
        caPem = dir.resolve("ca.pem");
        Files.writeString(caPem, "-----BEGIN CERTIFICATE-----\n" + Base64.getMimeEncoder().encodeToString(
                ks.getCertificate("srv").getEncoded()) + "\n-----END CERTIFICATE-----\n");
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, "changeit".toCharArray());
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);
        server.useHttps(ctx.getSocketFactory(), false);
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest r) {
                return RangeDispatcher.serve("secure-bytes".getBytes(StandardCharsets.US_ASCII), r.getMethod(),
                        r.getHeader("Range"));
            }
        });
        server.start();
    }

    @AfterEach
    void stop() throws Exception {
        server.shutdown();
        test.close();
    }

    private BlobBackend backend(NetworkOptions n) throws Exception {
        return BackendFactory.create("http-proxy", new HttpProxyOptions("https://127.0.0.1:" + server.getPort(), "",
                n.withTimeouts(Duration.ofSeconds(3), Duration.ofSeconds(3)).withRetryLimit(0)), test.env());
    }

    @Test
    void anUntrustedCertificateIsRefused() throws Exception {
        try (BlobBackend b = backend(NetworkOptions.defaults())) {
            assertThatThrownBy(() -> b.open("x").read(0, 6)).isInstanceOf(BackendException.class)
                    .hasMessageContaining("PKIX").hasMessageNotContaining("attempts");
        }
    }

    @Test
    void skipVerifyAcceptsIt() throws Exception {
        try (BlobBackend b = backend(NetworkOptions.defaults().withSkipVerify(true))) {
            assertThat(new String(b.open("x").read(0, 6), StandardCharsets.US_ASCII)).isEqualTo("secure");
        }
    }

    @Test
    void caCertFilesTrustItWithHostnameCheck() throws Exception {
        try (BlobBackend b = backend(NetworkOptions.defaults().withCaCertFiles(List.of(caPem)))) {
            assertThat(new String(b.open("x").read(7, 5), StandardCharsets.US_ASCII)).isEqualTo("bytes");
        }
    }
}
