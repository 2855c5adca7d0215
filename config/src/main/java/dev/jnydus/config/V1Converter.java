package dev.jnydus.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Optional;

/**
 * Reads a v1 (legacy RAFS) document and converts it to the v2 shape exactly as upstream's
 * {@code TryFrom<RafsConfig> for ConfigV2} (spec 2.5), defaults included:
 * <ul>
 *   <li>an absent {@code fs_prefetch} is Rust's derived default (all zero), a present one takes
 *       the serde defaults (8 threads, 1 MiB, {@code prefetch_all = true});</li>
 *   <li>{@code cache.prefetch} is v1's blob prefetch default (disabled, {@code prefetch_all}
 *       true) unless {@code fs_prefetch.enable}, in which case it is a copy of
 *       {@code rafs.prefetch};</li>
 *   <li>{@code device.cache.config} must be an object for blobcache/filecache/fscache.</li>
 * </ul>
 * Validation errors of the converted config are reported under the v1 key names.
 */
final class V1Converter {
    /** v1's {@code BlobPrefetchConfig::default()} converted: zeros with prefetch_all set. */
    static final PrefetchConfig V1_BLOB_PREFETCH = new PrefetchConfig(false, 0, 0, 0, true, false);

    private V1Converter() {
    }

    static NydusConfig read(JsonFields root) throws ConfigException {
        JsonFields device = root.requiredObject("device");
        String id = device.string("id", "");
        JsonFields backendNode = device.requiredObject("backend");
        String backendType = backendNode.requiredString("type");
        JsonNode backendConfig = backendNode.requiredRaw("config");
        backendNode.finish();
        List<ExternalBackendConfig> external = V2Reader.externalBackends(device);

        Optional<JsonFields> cacheNode = device.object("cache");
        String cacheType = "";
        boolean compressed = false;
        boolean validate = false;
        JsonNode cacheConfig = null;
        String cacheConfigPath = device.path("cache.config");
        if (cacheNode.isPresent()) {
            JsonFields c = cacheNode.get();
            cacheType = c.string("type", "");
            compressed = c.bool("compressed", false);
            cacheConfig = c.raw("config");
            validate = c.bool("validate", false);
            c.finish();
        }
        device.finish();

        String mode = root.requiredString("mode");
        boolean digestValidate = root.bool("digest_validate", false);
        boolean iostatsFiles = root.bool("iostats_files", false);
        PrefetchConfig fsPrefetch = V2Reader.map(root.object("fs_prefetch"), V1Converter::fsPrefetch)
                .orElse(PrefetchConfig.ABSENT);
        boolean enableXattr = root.bool("enable_xattr", false);
        boolean accessPattern = root.bool("access_pattern", false);
        boolean latestReadFiles = root.bool("latest_read_files", false);
        long amplifyIo = root.u64("amplify_io", RafsConfig.DEFAULT_BATCH_SIZE);
        root.finish();

        BackendConfig backend = backend(backendType, backendConfig, backendNode.path("type"),
                backendNode.path("config"));
        CacheConfig cache = cache(cacheType, compressed, validate, cacheConfig, cacheConfigPath,
                device.path("cache.type"), V1_BLOB_PREFETCH);
        RafsConfig rafs = new RafsConfig(mode, amplifyIo, digestValidate, enableXattr, iostatsFiles,
                accessPattern, latestReadFiles, fsPrefetch);
        if (!cache.prefetch().enable() && rafs.prefetch().enable()) {
            cache = new CacheConfig(cache.type(), cache.compressed(), cache.validate(),
                    rafs.prefetch(), cache.fileCache(), cache.fsCache());
        }
        NydusConfig config = new NydusConfig(id, Optional.of(backend), external, Optional.of(cache),
                Optional.of(rafs), Optional.empty());
        try {
            ConfigValidator.validate(config);
        } catch (ConfigException e) {
            throw e.withKeyPath(v1Path(e.keyPath()));
        }
        return config;
    }

    /**
     * The v1 {@code {type, config}} backend. Upstream's converter refuses {@code http-proxy};
     * spec Appendix A suggests accepting it, which we do.
     */
    static BackendConfig backend(String type, JsonNode config, String typePath, String configPath)
            throws ConfigException {
        if (!V2Reader.isBackendType(type)) {
            throw ConfigException.invalid(typePath, "unsupported backend type \"" + type + "\"");
        }
        return V2Reader.backendOfType(type, JsonFields.of(config, configPath));
    }

    /** The v1 {@code {type, compressed, config, validate}} cache, also used by blob cache entries. */
    static CacheConfig cache(String type, boolean compressed, boolean validate, JsonNode config,
                             String configPath, String typePath, PrefetchConfig prefetch)
            throws ConfigException {
        Optional<FileCacheConfig> fileCache = Optional.empty();
        Optional<FsCacheConfig> fsCache = Optional.empty();
        boolean needsConfig = type.equals(CacheConfig.BLOBCACHE) || type.equals(CacheConfig.FILECACHE)
                || type.equals(CacheConfig.FSCACHE);
        if (needsConfig && (config == null || config.isNull())) {
            throw ConfigException.parse(configPath, "an object is required for cache type \""
                    + type + "\" (may be {}), got " + JsonFields.describe(config));
        }
        switch (type) {
            case CacheConfig.BLOBCACHE:
            case CacheConfig.FILECACHE:
                fileCache = Optional.of(V2Reader.fileCache(JsonFields.of(config, configPath)));
                break;
            case CacheConfig.FSCACHE:
                fsCache = Optional.of(V2Reader.fsCache(JsonFields.of(config, configPath)));
                break;
            case "":
            case CacheConfig.DUMMYCACHE:
                break;
            default:
                throw ConfigException.invalid(typePath, "unsupported cache type \"" + type + "\"");
        }
        return new CacheConfig(type, compressed, validate, prefetch, fileCache, fsCache);
    }

    static PrefetchConfig fsPrefetch(JsonFields f) throws ConfigException {
        PrefetchConfig p = new PrefetchConfig(
                f.bool("enable", false),
                f.u64("threads_count", PrefetchConfig.DEFAULT_THREADS),
                f.u64("merging_size", PrefetchConfig.DEFAULT_BATCH_SIZE),
                f.u32("bandwidth_rate", 0),
                f.bool("prefetch_all", true),
                f.bool("stream_prefetch", false));
        f.finish();
        return p;
    }

    /** v2 key path of a validation failure → the v1 key the user wrote. */
    static String v1Path(String v2) {
        String[][] prefixes = {
            {"backend.type", "device.backend.type"},
            {"backend." + BackendConfig.HTTP_PROXY, "device.backend.config"},
            {"backend.localdisk", "device.backend.config"},
            {"backend.localfs", "device.backend.config"},
            {"backend.oss", "device.backend.config"},
            {"backend.s3", "device.backend.config"},
            {"backend.registry", "device.backend.config"},
            {"cache.type", "device.cache.type"},
            {"cache.filecache", "device.cache.config"},
            {"cache.fscache", "device.cache.config"},
            {"cache.prefetch", "fs_prefetch"},
            {"rafs.prefetch", "fs_prefetch"},
            {"rafs.mode", "mode"},
            {"rafs.batch_size", "amplify_io"},
            {"rafs.validate", "digest_validate"},
            {"rafs", ""},
            {"cache", "device.cache"},
            {"backend", "device.backend"},
        };
        for (String[] p : prefixes) {
            if (v2.equals(p[0]) || v2.startsWith(p[0] + ".")) {
                String rest = v2.substring(p[0].length());
                if (p[1].equals("fs_prefetch")) {
                    rest = rest.replace(".threads", ".threads_count")
                            .replace(".batch_size", ".merging_size")
                            .replace(".bandwidth_limit", ".bandwidth_rate");
                }
                String out = p[1] + rest;
                return out.startsWith(".") ? out.substring(1) : out;
            }
        }
        return v2;
    }
}
