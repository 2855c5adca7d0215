package dev.jnydus.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jnydus.backend.BackendEnvironment;
import dev.jnydus.backend.options.BackendOptions;
import dev.jnydus.backend.options.HttpProxyOptions;
import dev.jnydus.backend.options.MirrorOptions;
import dev.jnydus.backend.options.NetworkOptions;
import dev.jnydus.backend.options.OssOptions;
import dev.jnydus.backend.options.ProxyOptions;
import dev.jnydus.backend.options.RegistryOptions;
import dev.jnydus.backend.options.S3Options;
import dev.jnydus.config.NydusConfig;
import dev.jnydus.daemon.cli.StartupException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.Test;

/**
 * The configuration's backend section (v1 and v2 documents) mapped onto the backend module's
 * options: every field that the options support arrives, with its unit, and defaults agree.
 */
class BackendsTest {
    private static final String AUTH = RegistryOptions.basicAuth("user", "pa:ss");

    /** The network fields of a registry object, flat as both document versions write them. */
    private static final String NETWORK = "\"skip_verify\":true,\"ca_cert_files\":[\"/etc/ca-a.pem\",\"/etc/ca-b.pem\"],"
            + "\"timeout\":7,\"connect_timeout\":3,\"retry_limit\":4";
    private static final String REGISTRY = "\"scheme\":\"http\",\"host\":\"reg.example:5000\",\"repo\":\"library/app\","
            + "\"auth\":\"" + AUTH + "\",\"registry_token\":\"tok-123\",\"blob_url_scheme\":\"https\","
            + "\"blob_redirected_host\":\"cdn.example:8443\"," + NETWORK;
    private static final String PROXY = "\"proxy\":{\"url\":\"http://127.0.0.1:65001\",\"ping_url\":"
            + "\"http://127.0.0.1:40901/server/ping\",\"fallback\":false,\"check_interval\":9,\"use_http\":true,"
            + "\"check_pause_elapsed\":77}";
    private static final String MIRRORS = "\"mirrors\":[{\"host\":\"http://mirror-a:65001\",\"ping_url\":"
            + "\"http://mirror-a:65001/ping\",\"headers\":{\"X-Dragonfly-Registry\":\"https://reg.example:5000\"},"
            + "\"auth_through\":true,\"health_check_interval\":11,\"failure_limit\":7,"
            + "\"health_check_pause_elapsed\":33},{\"host\":\"https://mirror-b\"}]";

    private static final NetworkOptions NETWORK_OPTIONS = new NetworkOptions(true,
            List.of(Path.of("/etc/ca-a.pem"), Path.of("/etc/ca-b.pem")), Duration.ofSeconds(7), Duration.ofSeconds(3), 4,
            null, null);

    private static BackendOptions v2(String type, String body) throws Exception {
        NydusConfig c = NydusConfig.parse("{\"version\":2,\"backend\":{\"type\":\"" + type + "\",\"" + type + "\":{"
                + body + "}}}");
        return Backends.options(c.backendOrThrow());
    }

    private static BackendOptions v1(String type, String body) throws Exception {
        NydusConfig c = NydusConfig.parse("{\"device\":{\"backend\":{\"type\":\"" + type + "\",\"config\":{" + body
                + "}},\"cache\":{\"type\":\"dummycache\"}},\"mode\":\"direct\"}");
        return Backends.options(c.backendOrThrow());
    }

    private static RegistryOptions registry(NetworkOptions network) {
        return new RegistryOptions("http", "reg.example:5000", "library/app", AUTH, "tok-123", "https",
                "cdn.example:8443", network);
    }

    @Test
    void everyRegistryAndProxyFieldArrivesFromBothDocumentVersions() throws Exception {
        RegistryOptions want = registry(NETWORK_OPTIONS.withProxy(new ProxyOptions("http://127.0.0.1:65001",
                "http://127.0.0.1:40901/server/ping", false, Duration.ofSeconds(9), true, Duration.ofSeconds(77), "")));
        assertThat(v2("registry", REGISTRY + "," + PROXY)).isEqualTo(want);
        assertThat(v1("registry", REGISTRY + "," + PROXY)).isEqualTo(want);
    }

    @Test
    void everyMirrorFieldArrivesWithDefaultsForTheOnesLeftOut() throws Exception {
        RegistryOptions want = registry(NETWORK_OPTIONS.withMirrors(List.of(
                new MirrorOptions("http://mirror-a:65001", "http://mirror-a:65001/ping",
                        Map.of("X-Dragonfly-Registry", "https://reg.example:5000"), true, Duration.ofSeconds(11), 7,
                        Duration.ofSeconds(33)),
                new MirrorOptions("https://mirror-b", "", Map.of(), false, MirrorOptions.DEFAULT_HEALTH_CHECK_INTERVAL,
                        MirrorOptions.DEFAULT_FAILURE_LIMIT, MirrorOptions.DEFAULT_HEALTH_CHECK_PAUSE_ELAPSED))));
        assertThat(v2("registry", REGISTRY + "," + MIRRORS)).isEqualTo(want);
        assertThat(v1("registry", REGISTRY + "," + MIRRORS)).isEqualTo(want);
    }

    @Test
    void aMinimalRegistryGetsUpstreamsDefaults() throws Exception {
        BackendOptions o = v2("registry", "\"host\":\"reg.example\",\"repo\":\"app\"");
        assertThat(o).isEqualTo(RegistryOptions.of("https", "reg.example", "app"));
        RegistryOptions r = (RegistryOptions) o;
        assertThat(r.https()).isTrue();
        assertThat(r.network()).isEqualTo(NetworkOptions.defaults());
        assertThat(r.network().timeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(r.network().connectTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(r.network().proxy()).isEqualTo(ProxyOptions.disabled());
        assertThat(r.network().proxy().fallback()).isTrue();
        assertThat(r.network().proxy().checkInterval()).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void aProxyWithoutPingOrFallbackKeysKeepsTheirDefaults() throws Exception {
        RegistryOptions r = (RegistryOptions) v2("registry", "\"host\":\"h\",\"repo\":\"r\","
                + "\"proxy\":{\"url\":\"http://p:1\"}");
        assertThat(r.network().proxy()).isEqualTo(ProxyOptions.of("http://p:1"));
    }

    @Test
    void ossS3AndHttpProxyBackendsCarryTheirNetworkFieldsToo() throws Exception {
        String net = NETWORK + "," + PROXY;
        NetworkOptions network = NETWORK_OPTIONS.withProxy(new ProxyOptions("http://127.0.0.1:65001",
                "http://127.0.0.1:40901/server/ping", false, Duration.ofSeconds(9), true, Duration.ofSeconds(77), ""));
        assertThat(v2("oss", "\"scheme\":\"http\",\"endpoint\":\"oss.example\",\"bucket_name\":\"b\","
                + "\"object_prefix\":\"p/\",\"access_key_id\":\"id\",\"access_key_secret\":\"secret\"," + net))
                .isEqualTo(new OssOptions("http", "oss.example", "b", "p/", "id", "secret", network));
        assertThat(v1("s3", "\"scheme\":\"https\",\"endpoint\":\"s3.example\",\"region\":\"r1\",\"bucket_name\":\"b\","
                + "\"object_prefix\":\"p/\",\"access_key_id\":\"id\",\"access_key_secret\":\"secret\"," + net))
                .isEqualTo(new S3Options("https", "s3.example", "r1", "b", "p/", "id", "secret", network));
        assertThat(v2("http-proxy", "\"addr\":\"http://127.0.0.1:9000\",\"path\":\"/blobs\"," + net))
                .isEqualTo(new HttpProxyOptions("http://127.0.0.1:9000", "/blobs", network));
    }

    @Test
    void valuesTheBackendRefusesStopTheStartupWithTheirName() throws Exception {
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
        try {
            BackendEnvironment env = BackendEnvironment.system(scheduler).withEnv(Map.of());
            NydusConfig c = NydusConfig.parse("{\"version\":2,\"backend\":{\"type\":\"registry\",\"registry\":{"
                    + "\"host\":\"h\",\"repo\":\"r\",\"proxy\":{\"url\":\"http://p:1\",\"check_interval\":0}}}}");
            assertThatThrownBy(() -> Backends.create(c.backendOrThrow(), env)).isInstanceOf(StartupException.class)
                    .hasMessageContaining("failed to create the registry backend").hasMessageContaining("check_interval");
            NydusConfig both = NydusConfig.parse("{\"version\":2,\"backend\":{\"type\":\"registry\",\"registry\":{"
                    + "\"host\":\"h\",\"repo\":\"r\"," + PROXY + "," + MIRRORS + "}}}");
            assertThatThrownBy(() -> Backends.create(both.backendOrThrow(), env)).isInstanceOf(StartupException.class)
                    .hasMessageContaining("cannot be configured at the same time");
        } finally {
            scheduler.shutdownNow();
        }
    }
}
