package dev.jnydus.daemon.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jnydus.daemon.DaemonException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class HttpRoutesTest {
    private static HttpCall call(String method, String path, Map<String, String> query, String body) {
        return new HttpCall(method, path, query, body == null ? null : body.getBytes(StandardCharsets.UTF_8));
    }

    private static ApiRequest parse(String method, String path, Map<String, String> query, String body)
            throws ApiError {
        return HttpRoutes.parse(call(method, path, query, body));
    }

    private static void refused(String method, String path, Map<String, String> query, String body, int status,
                                String message) {
        assertThatThrownBy(() -> parse(method, path, query, body)).isInstanceOfSatisfying(ApiError.class, e -> {
            assertThat(e.status()).isEqualTo(status);
            assertThat(e.getMessage()).startsWith(message);
        });
    }

    @Test
    void everyUpstreamRouteIsServed() {
        assertThat(HttpRoutes.paths()).contains("/api/v1/daemon", "/api/v1/daemon/events", "/api/v1/daemon/backend",
                "/api/v1/daemon/start", "/api/v1/daemon/exit", "/api/v1/daemon/fuse/sendfd",
                "/api/v1/daemon/fuse/takeover", "/api/v1/mount", "/api/v1/metrics", "/api/v1/metrics/files",
                "/api/v1/metrics/pattern", "/api/v1/metrics/backend", "/api/v1/metrics/blobcache",
                "/api/v1/metrics/inflight", "/api/v1/config", "/api/v2/daemon", "/api/v2/blobs");
    }

    @Test
    void mountCommandsParseAsUpstreamsApiMountCmd() throws ApiError {
        ApiRequest r = parse("POST", "/api/v1/mount", Map.of("mountpoint", "/snap"),
                "{\"fs_type\":\"rafs\",\"source\":\"/b\",\"config\":\"{}\",\"prefetch_files\":[\"/x\"],\"extra\":1}");
        assertThat(r).isEqualTo(new ApiRequest.Mount("/snap",
                new ApiRequest.MountCmd("rafs", "/b", "{}", Optional.of(List.of("/x")))));
        assertThat(parse("PUT", "/api/v1/mount", Map.of("mountpoint", "/s"), "{\"source\":\"/b\",\"config\":\"c\"}"))
                .isEqualTo(new ApiRequest.Remount("/s", new ApiRequest.MountCmd("", "/b", "c", Optional.empty())));
        assertThat(parse("DELETE", "/api/v1/mount", Map.of("mountpoint", "/s"), null))
                .isEqualTo(new ApiRequest.Umount("/s"));
        refused("DELETE", "/api/v1/mount", Map.of(), null, 400,
                "QueryString(\"'mountpoint' should be specified in query string\")");
        refused("GET", "/api/v1/mount", Map.of("mountpoint", "/s"), null, 400, "BadRequest");
        refused("POST", "/api/v1/mount", Map.of("mountpoint", "/s"), "{\"config\":\"c\"}", 400,
                "ParseBody(Error(\"missing field `source`\"");
        refused("POST", "/api/v1/mount", Map.of("mountpoint", "/s"), "{\"source\":1,\"config\":\"c\"}", 400,
                "ParseBody(Error(\"invalid type: number");
        refused("POST", "/api/v1/mount", Map.of("mountpoint", "/s"), null, 400, "BadRequest");
        // As upstream's serde_json: a key given twice, or anything after the object, is refused.
        refused("POST", "/api/v1/mount", Map.of("mountpoint", "/s"),
                "{\"source\":\"/a\",\"source\":\"/b\",\"config\":\"c\"}", 400, "ParseBody(Error(\"Duplicate field 'source'");
        refused("POST", "/api/v1/mount", Map.of("mountpoint", "/s"), "{\"source\":\"/b\",\"config\":\"c\"} {}", 400,
                "ParseBody(Error(\"Trailing token");
    }

    @Test
    void bodyPresenceMethodsAndPaths() throws ApiError {
        assertThat(parse("PUT", "/api/v1/daemon/start", Map.of(), "")).isEqualTo(new ApiRequest.Start());
        refused("PUT", "/api/v1/daemon/start", Map.of(), "{}", 400, "BadRequest");
        refused("GET", "/api/v1/daemon/exit", Map.of(), null, 400, "BadRequest");
        refused("GET", "/api/v1/daemon/", Map.of(), null, 404, "NoRoute");
        assertThat(parse("GET", "/api/v1/metrics/files", Map.of("id", "/a", "latest", "true"), null))
                .isEqualTo(new ApiRequest.FsFilesMetrics(Optional.of("/a"), true));
        assertThat(parse("PUT", "/api/v1/daemon", Map.of(), "{\"log_level\":\"warn\"}"))
                .isEqualTo(new ApiRequest.ConfigureDaemon("warn"));
        refused("PUT", "/api/v1/daemon", Map.of(), "[".repeat(50_000), 400, "ParseBody");
        refused("PUT", "/api/v1/config", Map.of(), "{\"proxy_url\":2}", 400, "ParseBody");
        assertThat(parse("DELETE", "/api/v2/blobs", Map.of("blob_id", "b"), null))
                .isEqualTo(new ApiRequest.DeleteBlobFile("b"));
        assertThat(parse("DELETE", "/api/v2/blobs", Map.of("domain_id", "d"), null))
                .isEqualTo(new ApiRequest.DeleteBlobObject("d", ""));
        refused("DELETE", "/api/v2/blobs", Map.of(), null, 400, "BadRequest");
        refused("GET", "/api/v2/blobs", Map.of(), null, 400, "BadRequest");
    }

    @Test
    void daemonErrorsGetUpstreamsStatusesAndShapes() {
        assertThat(ApiError.of("Configure", ApiError.Source.DAEMON_ABNORMAL,
                new DaemonException(DaemonException.Kind.UNEXPECTED_EVENT, "Start")).status()).isEqualTo(400);
        ApiError e = ApiError.of("Upgrade", ApiError.Source.DAEMON_ABNORMAL,
                new DaemonException(DaemonException.Kind.NOT_READY, "not yet"));
        assertThat(e.status()).isEqualTo(503);
        assertThat(e.getMessage()).isEqualTo("Upgrade(DaemonAbnormal(NotReady(\"not yet\")))");
        e = ApiError.of("Mount", ApiError.Source.MOUNT_FILESYSTEM, DaemonException.other("a \"quoted\"\nline"));
        assertThat(e.status()).isEqualTo(500);
        assertThat(e.getMessage()).isEqualTo("Mount(MountFilesystem(Other(\"a \\\"quoted\\\"\\nline\")))");
        assertThat(ApiError.of("Mount", ApiError.Source.MOUNT_FILESYSTEM, DaemonException.unsupported("x")).status())
                .isEqualTo(501);
        assertThat(ApiError.of("DaemonInfo", ApiError.Source.METRICS_DAEMON, DaemonException.unsupported("x"))
                .status()).isEqualTo(500);
        assertThat(ApiError.noCounter("GlobalMetrics").getMessage()).isEqualTo("GlobalMetrics(Metrics(Stats(NoCounter)))");
        assertThat(ApiError.noCounter("GlobalMetrics").status()).isEqualTo(404);
    }
}
