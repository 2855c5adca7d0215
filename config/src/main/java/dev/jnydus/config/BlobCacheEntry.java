package dev.jnydus.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;
import java.util.Optional;

/**
 * One blob cache entry (spec 2.6): the body of {@code PUT /api/v2/blobs} and an item of the
 * singleton config's {@code blobs}. Parsing also does what upstream's
 * {@code prepare_configuration_info} does: a legacy {@code config} is converted when there is no
 * {@code config_v2}, and the backend and cache are validated. Checks that need the file system
 * or the cache manager (metadata path exists, blob type addable, id without '/') stay with the
 * blob cache manager.
 *
 * @param type {@link #TYPE_BOOTSTRAP} or {@link #TYPE_DATABLOB}; other values are left for the
 *     manager to refuse
 * @param blobId the blob (for bootstraps: the snapshotter's fscache id)
 * @param domainId sharing domain, "" for none
 */
public record BlobCacheEntry(String type, String blobId, String domainId, BlobCacheConfig config) {
    public static final String TYPE_BOOTSTRAP = "bootstrap";
    public static final String TYPE_DATABLOB = "datablob";
    /** Separator of domain and blob id in entry keys; neither may contain it. */
    public static final String ID_SPLITTER = "/";

    public BlobCacheEntry {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(blobId, "blobId");
        Objects.requireNonNull(domainId, "domainId");
        Objects.requireNonNull(config, "config");
    }

    /** Parses a JSON (or TOML) entry document. */
    public static BlobCacheEntry parse(String text) throws ConfigException {
        return read(JsonFields.of(ConfigParser.parse(text).node(), ""));
    }

    /**
     * The entry as a JSON document that {@link #parse} reads back to an equal entry: the legacy
     * form converted to {@code config_v2}, every field explicit, secrets kept. Meant for state that
     * must survive a restart (the fscache daemon's saved blob entries), not for the API.
     */
    public String toJson() {
        return JsonTrees.write(ConfigWriter.toJson(this));
    }

    /** Key of the entry in the cache manager: {@code domain_id/id}, or {@code id} without a domain. */
    public String key() {
        return domainId.isEmpty() ? blobId : domainId + ID_SPLITTER + blobId;
    }

    public boolean isBootstrap() {
        return TYPE_BOOTSTRAP.equals(type);
    }

    static BlobCacheEntry read(JsonFields f) throws ConfigException {
        String type = f.requiredString("type");
        String id = f.requiredString("id");
        Optional<JsonFields> legacy = f.optionalObject("config");
        Optional<Legacy> legacyConfig = V2Reader.map(legacy, BlobCacheEntry::readLegacy);
        Optional<BlobCacheConfig> v2 = V2Reader.map(f.optionalObject("config_v2"), BlobCacheEntry::readV2);
        String domainId = f.string("domain_id", "");
        f.finish();
        BlobCacheConfig config;
        if (v2.isPresent()) {
            config = v2.get();
        } else if (legacyConfig.isPresent()) {
            config = legacyConfig.get().convert();
        } else {
            throw ConfigException.invalid("", "missing blob cache configuration information "
                    + "(neither config nor config_v2 is present)");
        }
        return new BlobCacheEntry(type, id, domainId, config);
    }

    /** {@code config_v2}: version required, backend required by validation, cache defaulted. */
    private static BlobCacheConfig readV2(JsonFields f) throws ConfigException {
        long version = f.requiredU32("version");
        String id = f.string("id", "");
        Optional<JsonFields> backendNode = f.object("backend");
        Optional<BackendConfig> backend = V2Reader.map(backendNode, V2Reader::backend);
        var external = V2Reader.externalBackends(f);
        CacheConfig cache = V2Reader.map(f.object("cache"), V2Reader::cache).orElse(
                new CacheConfig("", false, false, PrefetchConfig.ABSENT, Optional.empty(), Optional.empty()));
        Optional<String> metadataPath = f.optionalString("metadata_path");
        f.finish();
        V2Reader.checkVersion(version, f.path("version"));
        if (backend.isEmpty()) {
            throw V2Reader.unknownBackendType(f.path("backend.type"), "");
        }
        ConfigValidator.cache(cache, f.path("cache"));
        ConfigValidator.backend(backend.get(), f.path("backend"));
        return new BlobCacheConfig(id, backend.get(), external, cache, metadataPath);
    }

    /** The legacy {@code config} object, type-checked at parse time and converted on demand. */
    private static Legacy readLegacy(JsonFields f) throws ConfigException {
        String id = f.string("id", "");
        String backendType = f.requiredString("backend_type");
        JsonNode backendConfig = f.requiredRaw("backend_config");
        var external = V2Reader.externalBackends(f);
        String cacheType = f.requiredString("cache_type");
        JsonNode cacheConfig = f.requiredRaw("cache_config");
        PrefetchConfig prefetch = V2Reader.map(f.object("prefetch_config"), BlobCacheEntry::legacyPrefetch)
                .orElse(V1Converter.V1_BLOB_PREFETCH);
        Optional<String> metadataPath = f.optionalString("metadata_path");
        f.finish();
        return new Legacy(f.path(), id, backendType, backendConfig, external, cacheType, cacheConfig,
                prefetch, metadataPath);
    }

    /** v1 {@code BlobPrefetchConfig}: all four keys required; converted with prefetch_all set. */
    private static PrefetchConfig legacyPrefetch(JsonFields f) throws ConfigException {
        PrefetchConfig p = new PrefetchConfig(
                f.requiredBool("enable"),
                f.requiredU64("threads_count"),
                f.requiredU64("merging_size"),
                f.requiredU32("bandwidth_rate"),
                true,
                false);
        f.finish();
        return p;
    }

    private record Legacy(String path, String id, String backendType, JsonNode backendConfig,
                          java.util.List<ExternalBackendConfig> external, String cacheType,
                          JsonNode cacheConfig, PrefetchConfig prefetch, Optional<String> metadataPath) {
        BlobCacheConfig convert() throws ConfigException {
            BackendConfig backend = V1Converter.backend(backendType, backendConfig,
                    JsonFields.join(path, "backend_type"), JsonFields.join(path, "backend_config"));
            CacheConfig cache = V1Converter.cache(cacheType, false, false,
                    cacheConfig,
                    JsonFields.join(path, "cache_config"), JsonFields.join(path, "cache_type"), prefetch);
            try {
                ConfigValidator.cache(cache, "cache");
                ConfigValidator.backend(backend, "backend");
            } catch (ConfigException e) {
                throw e.withKeyPath(JsonFields.join(path, legacyPath(e.keyPath())));
            }
            return new BlobCacheConfig(id, backend, external, cache, metadataPath);
        }
    }

    /** v2 key of a validation failure → the key in the legacy {@code config} object. */
    static String legacyPath(String v2) {
        String v1 = V1Converter.v1Path(v2);
        if (v1.startsWith("device.backend.config")) {
            return "backend_config" + v1.substring("device.backend.config".length());
        }
        if (v1.startsWith("device.cache.config")) {
            return "cache_config" + v1.substring("device.cache.config".length());
        }
        if (v1.equals("device.backend.type")) {
            return "backend_type";
        }
        if (v1.equals("device.cache.type")) {
            return "cache_type";
        }
        if (v1.startsWith("fs_prefetch")) {
            return "prefetch_config" + v1.substring("fs_prefetch".length());
        }
        return v1;
    }
}
