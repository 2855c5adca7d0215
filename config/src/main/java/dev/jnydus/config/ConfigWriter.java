package dev.jnydus.config;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import java.util.Optional;

/**
 * Writes the normalized model as a v2 JSON document with upstream's key names and order, every
 * field explicit (as serde serializes), absent optional sections as {@code null}. Only the
 * backend object of the selected type is written.
 */
final class ConfigWriter {
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private ConfigWriter() {
    }

    static ObjectNode toJson(NydusConfig c) {
        ObjectNode o = F.objectNode();
        o.put("version", NydusConfig.VERSION);
        o.put("id", c.id());
        if (c.backend().isPresent()) {
            o.set("backend", backend(c.backend().get()));
        } else {
            o.putNull("backend");
        }
        o.set("external_backends", externalBackends(c.externalBackends()));
        if (c.cache().isPresent()) {
            o.set("cache", cache(c.cache().get()));
        } else {
            o.putNull("cache");
        }
        if (c.rafs().isPresent()) {
            o.set("rafs", rafs(c.rafs().get()));
        } else {
            o.putNull("rafs");
        }
        if (c.overlay().isPresent()) {
            ObjectNode ov = o.putObject("overlay");
            ov.put("upper_dir", c.overlay().get().upperDir());
            ov.put("work_dir", c.overlay().get().workDir());
        } else {
            o.putNull("overlay");
        }
        return o;
    }

    /**
     * A blob cache entry as a {@code PUT /api/v2/blobs} body with a {@code config_v2}, every field
     * explicit (secrets included: this is for saved state, not for the API).
     */
    static ObjectNode toJson(BlobCacheEntry e) {
        ObjectNode o = F.objectNode();
        o.put("type", e.type());
        o.put("id", e.blobId());
        o.put("domain_id", e.domainId());
        BlobCacheConfig c = e.config();
        ObjectNode v2 = o.putObject("config_v2");
        v2.put("version", NydusConfig.VERSION);
        v2.put("id", c.id());
        v2.set("backend", backend(c.backend()));
        v2.set("external_backends", externalBackends(c.externalBackends()));
        v2.set("cache", cache(c.cache()));
        c.metadataPath().ifPresent(m -> v2.put("metadata_path", m));
        return o;
    }

    static ArrayNode externalBackends(java.util.List<ExternalBackendConfig> list) {
        ArrayNode a = F.arrayNode();
        for (ExternalBackendConfig e : list) {
            ObjectNode o = a.addObject();
            o.set("patch", stringMap(e.patch()));
            o.put("type", e.type());
            o.set("config", stringMap(e.config()));
        }
        return a;
    }

    static ObjectNode backend(BackendConfig b) {
        ObjectNode o = F.objectNode();
        o.put("type", b.type());
        ObjectNode s = o.putObject(b.type());
        if (b instanceof LocalDiskConfig) {
            LocalDiskConfig l = (LocalDiskConfig) b;
            s.put("device_path", l.devicePath());
            s.put("disable_gpt", l.disableGpt());
        } else if (b instanceof LocalFsConfig) {
            LocalFsConfig l = (LocalFsConfig) b;
            s.put("blob_file", l.blobFile());
            s.put("dir", l.dir());
            ArrayNode alt = s.putArray("alt_dirs");
            l.altDirs().forEach(alt::add);
        } else if (b instanceof OssConfig) {
            OssConfig x = (OssConfig) b;
            s.put("scheme", x.scheme());
            s.put("endpoint", x.endpoint());
            s.put("bucket_name", x.bucketName());
            s.put("object_prefix", x.objectPrefix());
            s.put("access_key_id", x.accessKeyId());
            s.put("access_key_secret", x.accessKeySecret());
            connection(s, x.connection());
        } else if (b instanceof S3Config) {
            S3Config x = (S3Config) b;
            s.put("scheme", x.scheme());
            s.put("endpoint", x.endpoint());
            s.put("region", x.region());
            s.put("bucket_name", x.bucketName());
            s.put("object_prefix", x.objectPrefix());
            s.put("access_key_id", x.accessKeyId());
            s.put("access_key_secret", x.accessKeySecret());
            connection(s, x.connection());
        } else if (b instanceof RegistryConfig) {
            RegistryConfig r = (RegistryConfig) b;
            s.put("scheme", r.scheme());
            s.put("host", r.host());
            s.put("repo", r.repo());
            optional(s, "auth", r.auth());
            ConnectionConfig c = r.connection();
            s.put("skip_verify", c.skipVerify());
            caCerts(s, c);
            s.put("timeout", c.timeout());
            s.put("connect_timeout", c.connectTimeout());
            s.put("retry_limit", c.retryLimit());
            optional(s, "registry_token", r.registryToken());
            s.put("blob_url_scheme", r.blobUrlScheme());
            s.put("blob_redirected_host", r.blobRedirectedHost());
            s.set("proxy", proxy(c.proxy()));
            mirrors(s, c);
        } else if (b instanceof HttpProxyConfig) {
            HttpProxyConfig h = (HttpProxyConfig) b;
            s.put("addr", h.addr());
            s.put("path", h.path());
            connection(s, h.connection());
        }
        return o;
    }

    private static void connection(ObjectNode s, ConnectionConfig c) {
        s.put("skip_verify", c.skipVerify());
        caCerts(s, c);
        s.put("timeout", c.timeout());
        s.put("connect_timeout", c.connectTimeout());
        s.put("retry_limit", c.retryLimit());
        s.set("proxy", proxy(c.proxy()));
        mirrors(s, c);
    }

    private static void caCerts(ObjectNode s, ConnectionConfig c) {
        ArrayNode a = s.putArray("ca_cert_files");
        c.caCertFiles().forEach(a::add);
    }

    /** Written only when configured: HEAD has no such key. */
    private static void mirrors(ObjectNode s, ConnectionConfig c) {
        if (c.mirrors().isEmpty()) {
            return;
        }
        ArrayNode a = s.putArray("mirrors");
        for (MirrorConfig m : c.mirrors()) {
            ObjectNode o = a.addObject();
            o.put("host", m.host());
            o.put("ping_url", m.pingUrl());
            o.set("headers", stringMap(m.headers()));
            o.put("health_check_interval", m.healthCheckInterval());
            o.put("failure_limit", m.failureLimit());
            o.put("health_check_pause_elapsed", m.healthCheckPauseElapsed());
            o.put("auth_through", m.authThrough());
        }
    }

    private static ObjectNode proxy(ProxyConfig p) {
        ObjectNode o = F.objectNode();
        o.put("url", p.url());
        o.put("ping_url", p.pingUrl());
        o.put("fallback", p.fallback());
        o.put("check_interval", p.checkInterval());
        o.put("use_http", p.useHttp());
        o.put("check_pause_elapsed", p.checkPauseElapsed());
        o.put("dragonfly_scheduler_endpoint", p.dragonflySchedulerEndpoint());
        return o;
    }

    static ObjectNode cache(CacheConfig c) {
        ObjectNode o = F.objectNode();
        o.put("type", c.type());
        o.put("compressed", c.compressed());
        o.put("validate", c.validate());
        o.set("prefetch", prefetch(c.prefetch()));
        if (c.fileCache().isPresent()) {
            FileCacheConfig f = c.fileCache().get();
            ObjectNode fc = o.putObject("filecache");
            fc.put("work_dir", f.workDir());
            fc.put("disable_indexed_map", f.disableIndexedMap());
            fc.put("enable_encryption", f.enableEncryption());
            fc.put("enable_convergent_encryption", f.enableConvergentEncryption());
            fc.put("encryption_key", f.encryptionKey());
            if (f.spaceLimit() > 0) {
                fc.put("space_limit", f.spaceLimit());
            }
        } else {
            o.putNull("filecache");
        }
        if (c.fsCache().isPresent()) {
            o.putObject("fscache").put("work_dir", c.fsCache().get().workDir());
        } else {
            o.putNull("fscache");
        }
        return o;
    }

    private static ObjectNode prefetch(PrefetchConfig p) {
        ObjectNode o = F.objectNode();
        o.put("enable", p.enable());
        o.put("threads", p.threads());
        o.put("batch_size", p.batchSize());
        o.put("bandwidth_limit", p.bandwidthLimit());
        o.put("prefetch_all", p.prefetchAll());
        o.put("stream_prefetch", p.streamPrefetch());
        return o;
    }

    private static ObjectNode rafs(RafsConfig r) {
        ObjectNode o = F.objectNode();
        o.put("mode", r.mode());
        o.put("batch_size", r.batchSize());
        o.put("validate", r.validate());
        o.put("enable_xattr", r.enableXattr());
        o.put("iostats_files", r.iostatsFiles());
        o.put("access_pattern", r.accessPattern());
        o.put("latest_read_files", r.latestReadFiles());
        o.set("prefetch", prefetch(r.prefetch()));
        return o;
    }

    private static void optional(ObjectNode o, String key, Optional<String> v) {
        if (v.isPresent()) {
            o.put(key, v.get());
        } else {
            o.putNull(key);
        }
    }

    private static ObjectNode stringMap(Map<String, String> m) {
        ObjectNode o = F.objectNode();
        m.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(e -> o.put(e.getKey(), e.getValue()));
        return o;
    }
}
