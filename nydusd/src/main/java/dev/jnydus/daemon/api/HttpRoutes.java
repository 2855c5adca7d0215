package dev.jnydus.daemon.api;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.jnydus.config.JsonTrees;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The routes of upstream's HTTP API (spec 3.3) and of jnydus's additions, by exact path: each
 * turns an {@link HttpCall} into an {@link ApiRequest} or refuses it the way upstream's handlers
 * do (wrong method or body presence → BadRequest, body not the expected JSON → ParseBody, missing
 * query → QueryString). Nothing here touches the daemon.
 */
public final class HttpRoutes {
    public static final String V1 = "/api/v1";
    public static final String V2 = "/api/v2";

    @FunctionalInterface
    private interface Route {
        ApiRequest parse(HttpCall call) throws ApiError;
    }

    private static final Map<String, Route> ROUTES = routes();

    private HttpRoutes() {
    }

    /** Every path served, for documentation and tests. */
    public static List<String> paths() {
        return List.copyOf(ROUTES.keySet());
    }

    public static ApiRequest parse(HttpCall call) throws ApiError {
        Route r = ROUTES.get(call.path());
        if (r == null) {
            throw ApiError.noRoute();
        }
        return r.parse(call);
    }

    private static Map<String, Route> routes() {
        Map<String, Route> r = new LinkedHashMap<>();
        r.put(V1 + "/daemon", c -> {
            if (is(c, "GET", false)) {
                return new ApiRequest.GetDaemonInfo(true);
            }
            if (is(c, "PUT", true)) {
                return new ApiRequest.ConfigureDaemon(logLevel(c));
            }
            throw ApiError.badRequest();
        });
        r.put(V1 + "/daemon/events", c -> only(c, "GET", new ApiRequest.GetEvents()));
        r.put(V1 + "/daemon/backend", c -> {
            if (is(c, "GET", false)) {
                return new ApiRequest.FsBackendInfo(mountpoint(c));
            }
            throw ApiError.badRequest();
        });
        r.put(V1 + "/daemon/start", c -> only(c, "PUT", new ApiRequest.Start()));
        r.put(V1 + "/daemon/exit", c -> only(c, "PUT", new ApiRequest.Exit()));
        r.put(V1 + "/daemon/fuse/sendfd", c -> only(c, "PUT", new ApiRequest.SendFuseFd()));
        r.put(V1 + "/daemon/fuse/takeover", c -> only(c, "PUT", new ApiRequest.TakeoverFuseFd()));
        r.put(V1 + "/mount", c -> {
            // Upstream checks the query before the method.
            String mp = mountpoint(c);
            if (is(c, "POST", true)) {
                return new ApiRequest.Mount(mp, mountCmd(c));
            }
            if (is(c, "PUT", true)) {
                return new ApiRequest.Remount(mp, mountCmd(c));
            }
            if (is(c, "DELETE", false)) {
                return new ApiRequest.Umount(mp);
            }
            throw ApiError.badRequest();
        });
        r.put(V1 + "/metrics", c -> only(c, "GET", new ApiRequest.FsGlobalMetrics(c.param("id"))));
        r.put(V1 + "/metrics/files", c -> only(c, "GET", new ApiRequest.FsFilesMetrics(c.param("id"),
                c.param("latest").map(Boolean::parseBoolean).orElse(false))));
        r.put(V1 + "/metrics/pattern", c -> only(c, "GET", new ApiRequest.FsAccessPatterns(c.param("id"))));
        r.put(V1 + "/metrics/backend", c -> only(c, "GET", new ApiRequest.BackendMetrics(c.param("id"))));
        r.put(V1 + "/metrics/blobcache", c -> only(c, "GET", new ApiRequest.BlobcacheMetrics(c.param("id"))));
        r.put(V1 + "/metrics/inflight", c -> only(c, "GET", new ApiRequest.InflightMetrics()));
        r.put(V1 + "/metrics/prometheus", c -> only(c, "GET", new ApiRequest.PrometheusMetrics()));
        r.put(V1 + "/config", c -> {
            if (is(c, "GET", false)) {
                return new ApiRequest.GetConfig(c.param("id"));
            }
            if (is(c, "PUT", true)) {
                return new ApiRequest.UpdateConfig(c.param("id"), stringMap(c));
            }
            throw ApiError.badRequest();
        });
        r.put(V2 + "/daemon", c -> {
            if (is(c, "GET", false)) {
                return new ApiRequest.GetDaemonInfo(false);
            }
            if (is(c, "PUT", true)) {
                return new ApiRequest.ConfigureDaemon(logLevel(c));
            }
            throw ApiError.badRequest();
        });
        r.put(V2 + "/blobs", c -> {
            if (is(c, "GET", false)) {
                String domain = c.param("domain_id").orElseThrow(ApiError::badRequest);
                return new ApiRequest.GetBlobObject(domain, c.param("blob_id").orElse(""));
            }
            if (is(c, "PUT", true)) {
                // Parsed as JSON here (a body that is not JSON is the client's error); the entry's
                // own checks belong to the blob cache manager.
                object(c);
                return new ApiRequest.CreateBlobObject(new String(c.body(), java.nio.charset.StandardCharsets.UTF_8));
            }
            if (is(c, "DELETE", false)) {
                Optional<String> domain = c.param("domain_id");
                if (domain.isPresent()) {
                    return new ApiRequest.DeleteBlobObject(domain.get(), c.param("blob_id").orElse(""));
                }
                return new ApiRequest.DeleteBlobFile(c.param("blob_id").orElseThrow(ApiError::badRequest));
            }
            throw ApiError.badRequest();
        });
        return Map.copyOf(r);
    }

    private static boolean is(HttpCall c, String method, boolean body) {
        return c.method().equals(method) && c.hasBody() == body;
    }

    private static ApiRequest only(HttpCall c, String method, ApiRequest r) throws ApiError {
        if (!is(c, method, false)) {
            throw ApiError.badRequest();
        }
        return r;
    }

    private static String mountpoint(HttpCall c) throws ApiError {
        return c.param("mountpoint").orElseThrow(
                () -> ApiError.queryString("'mountpoint' should be specified in query string"));
    }

    /** The body as one JSON object; anything else is a ParseBody error with a position. */
    static JsonNode object(HttpCall c) throws ApiError {
        JsonNode n;
        try {
            // No ObjectMapper (see ApiDispatcher); as upstream's serde_json, a duplicate key or
            // anything after the value is a parse error.
            n = JsonTrees.read(c.body());
        } catch (JsonProcessingException e) {
            JsonLocation l = e.getLocation();
            throw ApiError.parseBody(e.getOriginalMessage(), l == null ? 0 : l.getLineNr(),
                    l == null ? 0 : l.getColumnNr());
        } catch (IOException e) {
            throw ApiError.parseBody(e.getMessage(), 0, 0);
        }
        if (n == null || !n.isObject()) {
            throw typeError(c, "a JSON object", n);
        }
        return n;
    }

    private static ApiError typeError(HttpCall c, String expected, JsonNode got) {
        String kind = got == null || got.isMissingNode() ? "nothing" : got.getNodeType().name().toLowerCase();
        return ApiError.parseBody("invalid type: " + kind + ", expected " + expected, 1, c.body().length);
    }

    private static String requiredString(HttpCall c, JsonNode o, String field) throws ApiError {
        JsonNode v = o.get(field);
        if (v == null) {
            throw ApiError.parseBody("missing field `" + field + "`", 1, c.body().length);
        }
        if (!v.isTextual()) {
            throw typeError(c, "a string for `" + field + "`", v);
        }
        return v.asText();
    }

    private static String logLevel(HttpCall c) throws ApiError {
        return requiredString(c, object(c), "log_level");
    }

    private static ApiRequest.MountCmd mountCmd(HttpCall c) throws ApiError {
        JsonNode o = object(c);
        String source = requiredString(c, o, "source");
        String config = requiredString(c, o, "config");
        String fsType = "";
        if (o.hasNonNull("fs_type")) {
            fsType = requiredString(c, o, "fs_type");
        }
        Optional<List<String>> prefetch = Optional.empty();
        JsonNode p = o.get("prefetch_files");
        if (p != null && !p.isNull()) {
            if (!p.isArray()) {
                throw typeError(c, "a sequence of strings for `prefetch_files`", p);
            }
            List<String> files = new ArrayList<>();
            for (JsonNode f : p) {
                if (!f.isTextual()) {
                    throw typeError(c, "a string in `prefetch_files`", f);
                }
                files.add(f.asText());
            }
            prefetch = Optional.of(files);
        }
        return new ApiRequest.MountCmd(fsType, source, config, prefetch);
    }

    private static Map<String, String> stringMap(HttpCall c) throws ApiError {
        JsonNode o = object(c);
        Map<String, String> out = new LinkedHashMap<>();
        var it = o.fields();
        while (it.hasNext()) {
            var e = it.next();
            if (!e.getValue().isTextual()) {
                throw typeError(c, "a string for `" + e.getKey() + "`", e.getValue());
            }
            out.put(e.getKey(), e.getValue().asText());
        }
        return out;
    }
}
