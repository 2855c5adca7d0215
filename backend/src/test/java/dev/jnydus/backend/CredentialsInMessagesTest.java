package dev.jnydus.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.jnydus.backend.http.Redact;
import dev.jnydus.backend.options.HttpProxyOptions;
import dev.jnydus.backend.options.MirrorOptions;
import dev.jnydus.backend.options.NetworkOptions;
import dev.jnydus.backend.options.ProxyOptions;
import dev.jnydus.backend.options.RegistryOptions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import okhttp3.HttpUrl;
import org.junit.jupiter.api.Test;

/**
 * A proxy, mirror or http-proxy URL may carry {@code user:password@}: every message and
 * {@code toString} that quotes such a URL shows {@code user:***@} instead.
 */
class CredentialsInMessagesTest {
    private static final String PASSWORD = "s3cr3tpw";

    @Test
    void urlsThatDoNotParseAreQuotedMasked() throws Exception {
        for (String bad : List.of("http://user:" + PASSWORD + "@127.0.0.1:99999", "http://user:" + PASSWORD + "@",
                "http://user:" + PASSWORD + "@127.0.0.1:1/ x", "ftp://user:" + PASSWORD + "@127.0.0.1:1")) {
            Throwable e = catchThrowable(() -> {
                try (TestEnv test = new TestEnv();
                     BlobBackend b = BackendFactory.create("registry", new RegistryOptions("http", "127.0.0.1:1", "a/b",
                             "", "", "", "", new NetworkOptions(false, List.of(), null, null, 0, ProxyOptions.of(bad),
                             List.of())), test.env())) {
                    b.type();
                }
            });
            assertThat(e).as("proxy url %s", bad).isNotNull();
            assertThat(e.getMessage()).doesNotContain(PASSWORD).contains("user:***@");
        }
    }

    @Test
    void aProxyAndMirrorsConflictQuotesTheProxyMasked() {
        Throwable e = catchThrowable(() -> new NetworkOptions(false, List.of(), null, null, 0,
                ProxyOptions.of("http://user:" + PASSWORD + "@127.0.0.1:65001"),
                List.of(MirrorOptions.of("http://127.0.0.1:65002", Map.of()))));
        assertThat(e).hasMessageContaining("proxy 'http://user:***@127.0.0.1:65001' and 1 mirror(s)")
                .message().doesNotContain(PASSWORD);
    }

    @Test
    void httpProxyAddressesAreQuotedMasked() throws Exception {
        Throwable e = catchThrowable(() -> new HttpProxyOptions("ftp://user:" + PASSWORD + "@127.0.0.1:1", "", null));
        assertThat(e).hasMessageContaining("'ftp://user:***@127.0.0.1:1'").message().doesNotContain(PASSWORD);
        e = catchThrowable(() -> {
            try (TestEnv test = new TestEnv();
                 BlobBackend b = BackendFactory.create("http-proxy",
                         new HttpProxyOptions("http://user:" + PASSWORD + "@127.0.0.1:99999", "", null), test.env())) {
                b.type();
            }
        });
        assertThat(e).hasMessageContaining("'http://user:***@127.0.0.1:99999'").message().doesNotContain(PASSWORD);
    }

    @Test
    void optionsPrintTheirUrlsMaskedAndMirrorHeadersWithoutValues() {
        ProxyOptions p = ProxyOptions.of("http://user:" + PASSWORD + "@127.0.0.1:65001")
                .withPing("http://user:" + PASSWORD + "@127.0.0.1:65001/ping", Duration.ofSeconds(5));
        MirrorOptions m = new MirrorOptions("http://m:" + PASSWORD + "@127.0.0.1:65002", "",
                Map.of("Authorization", "Basic " + PASSWORD), false, null, 5, null);
        HttpProxyOptions h = new HttpProxyOptions("http://user:" + PASSWORD + "@127.0.0.1:8000", "", null);
        for (Object o : List.of(p, m, h)) {
            assertThat(o.toString()).doesNotContain(PASSWORD).contains(":***@127.0.0.1");
        }
        assertThat(m.toString()).contains("Authorization");
    }

    @Test
    void redactKeepsTheUserAndMasksThePassword() {
        assertThat(Redact.url(HttpUrl.get("http://user:" + PASSWORD + "@127.0.0.1:5000/v2/x?sig=1")))
                .isEqualTo("http://user:***@127.0.0.1:5000/v2/x?<redacted>");
        assertThat(Redact.url(HttpUrl.get("http://token@127.0.0.1/v2/")))
                .isEqualTo("http://***@127.0.0.1/v2/");
        assertThat(Redact.url("http://user:" + PASSWORD + "@127.0.0.1:99999/x")).isEqualTo("http://user:***@127.0.0.1:99999/x");
    }
}
