package dev.jnydus.daemon;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jnydus.testkit.registry.NginxMirror;
import dev.jnydus.testkit.registry.RegistryServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A nydusd configuration document with a registry backend, written in either of upstream's two
 * shapes: v1 ({@code device.backend.config}, {@code amplify_io}, {@code fs_prefetch}) or v2
 * ({@code backend.registry}, {@code rafs.batch_size}, {@code rafs.prefetch}). The registry section
 * is the same flat object in both, so {@link #registry()} may take any backend field.
 */
final class RegistryMountConfig {
    enum Format { V1, V2 }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final ObjectNode registry = JSON.createObjectNode();
    private String cacheType = "dummycache";
    private Path workDir;
    private boolean validate;
    private long amplifyIo = 1 << 20;
    private boolean prefetch;

    private RegistryMountConfig(String host, String repo) {
        registry.put("scheme", "http").put("host", host).put("repo", repo);
    }

    static RegistryMountConfig of(RegistryServer reg, String repo) {
        return new RegistryMountConfig(reg.hostPort(), repo);
    }

    /** A registry reached at {@code hostPort} (a proxy in front of one, say). */
    static RegistryMountConfig of(String hostPort, String repo) {
        return new RegistryMountConfig(hostPort, repo);
    }

    /** The flat registry object: host, repo, auth, timeouts, proxy, mirrors... */
    ObjectNode registry() {
        return registry;
    }

    RegistryMountConfig auth(String base64UserPassword) {
        registry.put("auth", base64UserPassword);
        return this;
    }

    RegistryMountConfig network(long timeoutSecs, long connectTimeoutSecs, int retryLimit) {
        registry.put("timeout", timeoutSecs).put("connect_timeout", connectTimeoutSecs).put("retry_limit", retryLimit);
        return this;
    }

    /** A legacy mirror that wants {@code header: value}; health checks every {@code intervalSecs}. */
    RegistryMountConfig mirror(NginxMirror mirror, Map<String, String> headers, long intervalSecs, int failureLimit) {
        ObjectNode m = ((ArrayNode) registry.withArray("mirrors")).addObject();
        m.put("host", mirror.url());
        ObjectNode h = m.putObject("headers");
        headers.forEach(h::put);
        m.put("auth_through", false).put("health_check_interval", intervalSecs).put("failure_limit", failureLimit);
        return this;
    }

    /** The Dragonfly {@code proxy} section: pinged at {@code ping_url}, falling back to the origin. */
    RegistryMountConfig proxy(NginxMirror proxy, long checkIntervalSecs) {
        registry.putObject("proxy").put("url", proxy.url()).put("ping_url", proxy.pingUrl()).put("fallback", true)
                .put("check_interval", checkIntervalSecs).put("use_http", false);
        return this;
    }

    RegistryMountConfig blobcache(Path dir) {
        cacheType = "blobcache";
        workDir = dir;
        return this;
    }

    RegistryMountConfig dummycache() {
        cacheType = "dummycache";
        workDir = null;
        return this;
    }

    /** {@code cache.validate}: check chunk digests of what the backend or the cache file hands over. */
    RegistryMountConfig validate(boolean v) {
        validate = v;
        return this;
    }

    /** v1 {@code amplify_io}, v2 {@code rafs.batch_size}. */
    RegistryMountConfig amplifyIo(long bytes) {
        amplifyIo = bytes;
        return this;
    }

    /**
     * Filesystem prefetch at mount (v1 {@code fs_prefetch}, v2 {@code rafs.prefetch}) of the hinted
     * files or the bootstrap's prefetch table, not of everything.
     */
    RegistryMountConfig prefetch(boolean enable) {
        prefetch = enable;
        return this;
    }

    String json(Format format) {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode cacheFile = JSON.createObjectNode();
        if (workDir != null) {
            cacheFile.put("work_dir", workDir.toString());
        }
        // prefetch_all explicitly off: v1 defaults it to true (upstream), v2 to false.
        ObjectNode prefetchNode = JSON.createObjectNode().put("enable", prefetch).put("prefetch_all", false);
        if (format == Format.V2) {
            root.put("version", 2);
            root.putObject("backend").put("type", "registry").set("registry", registry.deepCopy());
            ObjectNode cache = root.putObject("cache").put("type", cacheType).put("validate", validate);
            if (workDir != null) {
                cache.set("filecache", cacheFile);
            }
            ObjectNode rafs = root.putObject("rafs").put("mode", "direct").put("batch_size", amplifyIo);
            if (prefetch) {
                rafs.set("prefetch", prefetchNode.put("threads", 2));
            }
        } else {
            ObjectNode device = root.putObject("device");
            device.putObject("backend").put("type", "registry").set("config", registry.deepCopy());
            ObjectNode cache = device.putObject("cache").put("type", cacheType).put("validate", validate);
            if (workDir != null) {
                cache.set("config", cacheFile);
            }
            root.put("mode", "direct").put("amplify_io", amplifyIo).put("digest_validate", false);
            if (prefetch) {
                root.set("fs_prefetch", prefetchNode.put("threads_count", 2));
            }
        }
        return root.toPrettyString();
    }

    Path write(Path file, Format format) throws IOException {
        Files.writeString(file, json(format));
        return file;
    }
}
