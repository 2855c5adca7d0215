package dev.jnydus.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the v2 objects (spec 2.3/2.4) with upstream's per-field defaults. The backend readers
 * are shared with the v1 converter, whose {@code device.backend.config} has the same fields.
 */
final class V2Reader {
    private static final Logger LOG = LoggerFactory.getLogger(V2Reader.class);
    /** Every backend type upstream knows, in the order their sub-objects are read and type-checked. */
    private static final List<String> BACKEND_TYPES = List.of(BackendConfig.LOCALDISK, BackendConfig.LOCALFS,
            BackendConfig.OSS, BackendConfig.S3, BackendConfig.REGISTRY, BackendConfig.HTTP_PROXY);

    /** A reader of one object; checked exceptions rule out Optional.map. */
    @FunctionalInterface
    interface ObjectReader<T> {
        T read(JsonFields f) throws ConfigException;
    }

    private V2Reader() {
    }

    static <T> Optional<T> map(Optional<JsonFields> f, ObjectReader<T> reader) throws ConfigException {
        return f.isPresent() ? Optional.of(reader.read(f.get())) : Optional.empty();
    }

    /** A whole v2 document. The caller validates. */
    static NydusConfig config(JsonFields f) throws ConfigException {
        long version = f.requiredU32("version");
        String id = f.string("id", "");
        Optional<BackendConfig> backend = map(f.optionalObject("backend"), V2Reader::backend);
        List<ExternalBackendConfig> external = externalBackends(f);
        Optional<CacheConfig> cache = map(f.optionalObject("cache"), V2Reader::cache);
        Optional<RafsConfig> rafs = map(f.optionalObject("rafs"), V2Reader::rafs);
        Optional<OverlayConfig> overlay = map(f.optionalObject("overlay"), V2Reader::overlay);
        f.finish();
        checkVersion(version, f.path("version"));
        return new NydusConfig(id, backend, external, cache, rafs, overlay);
    }

    static void checkVersion(long version, String path) throws ConfigException {
        if (version != NydusConfig.VERSION) {
            throw ConfigException.invalid(path, "unsupported configuration version " + version
                    + ", expected " + NydusConfig.VERSION);
        }
    }

    /**
     * {@code {"type": T, T: {...}}}. Every sub-object that is present is type-checked (serde
     * deserializes them all); only the one named by {@code type} is kept.
     */
    static BackendConfig backend(JsonFields f) throws ConfigException {
        String type = f.requiredString("type");
        BackendConfig selected = null;
        for (String kind : BACKEND_TYPES) {
            Optional<JsonFields> sub = f.optionalObject(kind);
            if (sub.isPresent()) {
                BackendConfig b = backendOfType(kind, sub.get());
                if (kind.equals(type)) {
                    selected = b;
                }
            }
        }
        f.finish();
        if (!isBackendType(type)) {
            throw unknownBackendType(f.path("type"), type);
        }
        if (selected == null) {
            throw ConfigException.invalid(f.path(type),
                    "missing configuration for backend type \"" + type + "\"");
        }
        return selected;
    }

    static boolean isBackendType(String type) {
        return BACKEND_TYPES.contains(type);
    }

    static ConfigException unknownBackendType(String path, String type) {
        return ConfigException.invalid(path, "unknown backend type \"" + type
                + "\" (expected one of localfs, localdisk, oss, s3, registry, http-proxy)");
    }

    /** The object for backend {@code type}; the caller checked that the type is known. */
    static BackendConfig backendOfType(String type, JsonFields f) throws ConfigException {
        switch (type) {
            case BackendConfig.LOCALDISK:
                return localDisk(f);
            case BackendConfig.LOCALFS:
                return localFs(f);
            case BackendConfig.OSS:
                return oss(f);
            case BackendConfig.S3:
                return s3(f);
            case BackendConfig.REGISTRY:
                return registry(f);
            case BackendConfig.HTTP_PROXY:
                return httpProxy(f);
            default:
                throw unknownBackendType(f.path(), type);
        }
    }

    static LocalDiskConfig localDisk(JsonFields f) throws ConfigException {
        LocalDiskConfig c = new LocalDiskConfig(f.string("device_path", ""), f.bool("disable_gpt", false));
        f.finish();
        return c;
    }

    static LocalFsConfig localFs(JsonFields f) throws ConfigException {
        LocalFsConfig c = new LocalFsConfig(f.string("blob_file", ""), f.string("dir", ""),
                f.stringList("alt_dirs"));
        f.finish();
        return c;
    }

    static OssConfig oss(JsonFields f) throws ConfigException {
        String scheme = f.string("scheme", "https");
        String endpoint = f.requiredString("endpoint");
        String bucket = f.requiredString("bucket_name");
        String prefix = f.string("object_prefix", "");
        String keyId = f.string("access_key_id", "");
        String secret = f.string("access_key_secret", "");
        ConnectionConfig conn = connection(f);
        f.finish();
        return new OssConfig(scheme, endpoint, bucket, prefix, keyId, secret, conn);
    }

    static S3Config s3(JsonFields f) throws ConfigException {
        String scheme = f.string("scheme", "https");
        String endpoint = f.requiredString("endpoint");
        String region = f.requiredString("region");
        String bucket = f.requiredString("bucket_name");
        String prefix = f.string("object_prefix", "");
        String keyId = f.string("access_key_id", "");
        String secret = f.string("access_key_secret", "");
        ConnectionConfig conn = connection(f);
        f.finish();
        return new S3Config(scheme, endpoint, region, bucket, prefix, keyId, secret, conn);
    }

    static RegistryConfig registry(JsonFields f) throws ConfigException {
        String scheme = f.string("scheme", "https");
        String host = f.requiredString("host");
        String repo = f.requiredString("repo");
        Optional<String> auth = f.optionalString("auth");
        Optional<String> token = f.optionalString("registry_token");
        String blobUrlScheme = f.string("blob_url_scheme", "");
        String redirectedHost = f.string("blob_redirected_host", "");
        ConnectionConfig conn = connection(f);
        f.finish();
        return new RegistryConfig(scheme, host, repo, auth, token, blobUrlScheme, redirectedHost, conn);
    }

    static HttpProxyConfig httpProxy(JsonFields f) throws ConfigException {
        String addr = f.requiredString("addr");
        String path = f.string("path", "");
        ConnectionConfig conn = connection(f);
        f.finish();
        return new HttpProxyConfig(addr, path, conn);
    }

    /** The common network fields, read from the backend object itself (they are flat there). */
    static ConnectionConfig connection(JsonFields f) throws ConfigException {
        boolean skipVerify = f.bool("skip_verify", false);
        List<String> caCerts = f.stringList("ca_cert_files");
        long timeout = f.u32("timeout", ConnectionConfig.DEFAULT_TIMEOUT_SECS);
        long connectTimeout = f.u32("connect_timeout", ConnectionConfig.DEFAULT_TIMEOUT_SECS);
        int retryLimit = f.u8("retry_limit", 0);
        ProxyConfig proxy = map(f.object("proxy"), V2Reader::proxy).orElse(ProxyConfig.DEFAULT);
        List<MirrorConfig> mirrors = mirrors(f);
        return new ConnectionConfig(skipVerify, caCerts, timeout, connectTimeout, retryLimit, proxy,
                mirrors);
    }

    static ProxyConfig proxy(JsonFields f) throws ConfigException {
        ProxyConfig p = new ProxyConfig(
                f.string("url", ""),
                f.string("ping_url", ""),
                f.bool("fallback", true),
                f.u64("check_interval", 5),
                f.bool("use_http", false),
                f.u64("check_pause_elapsed", 300),
                f.string("dragonfly_scheduler_endpoint", ""));
        f.finish();
        return p;
    }

    /** Legacy mirrors: HEAD ignores the key, so a malformed list is dropped, not fatal. */
    private static List<MirrorConfig> mirrors(JsonFields f) {
        if (!f.has("mirrors")) {
            return List.of();
        }
        try {
            List<MirrorConfig> out = new ArrayList<>();
            for (JsonFields m : f.objectList("mirrors", false)) {
                out.add(new MirrorConfig(
                        m.requiredString("host"),
                        m.string("ping_url", ""),
                        m.stringMap("headers", false),
                        m.u64("health_check_interval", 5),
                        m.u8("failure_limit", 5),
                        m.u64("health_check_pause_elapsed", 300),
                        m.bool("auth_through", false)));
                m.finish();
            }
            return List.copyOf(out);
        } catch (ConfigException e) {
            LOG.warn("ignoring malformed legacy registry mirrors: {}", e.getMessage());
            return List.of();
        }
    }

    static List<ExternalBackendConfig> externalBackends(JsonFields f) throws ConfigException {
        List<ExternalBackendConfig> out = new ArrayList<>();
        for (JsonFields e : f.objectList("external_backends", false)) {
            Map<String, String> patch = e.stringMap("patch", true);
            String type = e.requiredString("type");
            Map<String, String> config = e.stringMap("config", true);
            e.finish();
            out.add(new ExternalBackendConfig(type, patch, config));
        }
        return List.copyOf(out);
    }

    static CacheConfig cache(JsonFields f) throws ConfigException {
        String type = f.string("type", "");
        boolean compressed = f.bool("compressed", false);
        boolean validate = f.bool("validate", false);
        PrefetchConfig prefetch = map(f.object("prefetch"), V2Reader::prefetch).orElse(PrefetchConfig.ABSENT);
        Optional<FileCacheConfig> fileCache = map(f.optionalObject("filecache"), V2Reader::fileCache);
        Optional<FsCacheConfig> fsCache = map(f.optionalObject("fscache"), V2Reader::fsCache);
        f.finish();
        return new CacheConfig(type, compressed, validate, prefetch, fileCache, fsCache);
    }

    static PrefetchConfig prefetch(JsonFields f) throws ConfigException {
        PrefetchConfig p = new PrefetchConfig(
                f.requiredBool("enable"),
                f.u64("threads", PrefetchConfig.DEFAULT_THREADS),
                f.u64("batch_size", PrefetchConfig.DEFAULT_BATCH_SIZE),
                f.u32("bandwidth_limit", 0),
                f.bool("prefetch_all", false),
                f.bool("stream_prefetch", false));
        f.finish();
        return p;
    }

    static FileCacheConfig fileCache(JsonFields f) throws ConfigException {
        FileCacheConfig c = new FileCacheConfig(
                f.string("work_dir", FileCacheConfig.DEFAULT_WORK_DIR),
                f.bool("disable_indexed_map", false),
                f.bool("enable_encryption", false),
                f.bool("enable_convergent_encryption", false),
                f.string("encryption_key", ""),
                f.u64("space_limit", 0));
        f.finish();
        return c;
    }

    static FsCacheConfig fsCache(JsonFields f) throws ConfigException {
        FsCacheConfig c = new FsCacheConfig(f.string("work_dir", FileCacheConfig.DEFAULT_WORK_DIR));
        f.finish();
        return c;
    }

    static RafsConfig rafs(JsonFields f) throws ConfigException {
        RafsConfig r = new RafsConfig(
                f.string("mode", RafsConfig.MODE_DIRECT),
                f.u64("batch_size", RafsConfig.DEFAULT_BATCH_SIZE),
                f.bool("validate", false),
                f.bool("enable_xattr", false),
                f.bool("iostats_files", false),
                f.bool("access_pattern", false),
                f.bool("latest_read_files", false),
                map(f.object("prefetch"), V2Reader::prefetch).orElse(PrefetchConfig.ABSENT));
        f.finish();
        return r;
    }

    static OverlayConfig overlay(JsonFields f) throws ConfigException {
        OverlayConfig o = new OverlayConfig(f.requiredString("upper_dir"), f.requiredString("work_dir"));
        f.finish();
        return o;
    }
}
