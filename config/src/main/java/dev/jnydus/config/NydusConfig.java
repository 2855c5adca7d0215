package dev.jnydus.config;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The normalized nydusd configuration: the v2 document shape (spec 2.3), which v1 documents are
 * converted into (spec 2.5). Every consumer reads this record; nobody downstream sees v1.
 *
 * <p>Instances returned by {@link #parse}, {@link #load} and {@link #forLocalfsDir} have passed
 * {@link #validate()}. {@link #toString()} and {@link #toRedactedJson()} never contain credentials;
 * {@link #toJson()} does, and is meant for state that must survive a restart, not for the API.
 *
 * @param id instance id: blob-cache metrics key and cache-manager sharing key
 * @param backend the storage backend; absent for configs that only describe a filesystem
 * @param externalBackends extra backends for external blobs
 * @param cache the local cache; absent means no cache section (upstream treats it as an error
 *     where a cache is needed)
 * @param rafs RAFS settings; required for RAFS mounts
 * @param overlay writable upper layer
 */
public record NydusConfig(String id, Optional<BackendConfig> backend,
                          List<ExternalBackendConfig> externalBackends, Optional<CacheConfig> cache,
                          Optional<RafsConfig> rafs, Optional<OverlayConfig> overlay) {
    /** The only document version this model describes. */
    public static final int VERSION = 2;
    /** Configuration files larger than this are refused, as upstream. */
    public static final long MAX_FILE_SIZE = 0x10_0000;
    /** Environment variable whose value replaces {@code backend.registry.auth} (spec 1.7). */
    public static final String IMAGE_PULL_AUTH_ENV = "IMAGE_PULL_AUTH";

    public NydusConfig {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(backend, "backend");
        externalBackends = List.copyOf(externalBackends);
        Objects.requireNonNull(cache, "cache");
        Objects.requireNonNull(rafs, "rafs");
        Objects.requireNonNull(overlay, "overlay");
    }

    /**
     * Parses a configuration string as upstream does: JSON v2 (has an integer {@code version}),
     * then TOML v2, then JSON v1 converted to v2; the result is validated.
     */
    public static NydusConfig parse(String text) throws ConfigException {
        return ConfigParser.parseNydusConfig(text);
    }

    /** Reads and parses a configuration file of at most {@link #MAX_FILE_SIZE} bytes of UTF-8. */
    public static NydusConfig load(Path file) throws ConfigException {
        return parse(ConfigFiles.read(file));
    }

    /**
     * The configuration {@code --localfs-dir <dir>} stands for (spec 1.4): a localfs backend
     * reading {@code <dir>/<blob_id>} and a blobcache with {@code work_dir = <dir>}, built from the
     * same v1 document upstream synthesizes so the defaults match.
     */
    public static NydusConfig forLocalfsDir(String dir) throws ConfigException {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode root = f.objectNode();
        ObjectNode device = root.putObject("device");
        ObjectNode backend = device.putObject("backend");
        backend.put("type", BackendConfig.LOCALFS);
        backend.putObject("config").put("dir", dir).put("readahead", true);
        ObjectNode cache = device.putObject("cache");
        cache.put("type", CacheConfig.BLOBCACHE);
        cache.putObject("config").put("compressed", false).put("work_dir", dir);
        root.put("mode", RafsConfig.MODE_DIRECT);
        root.put("digest_validate", false);
        root.put("iostats_files", false);
        return parse(JsonTrees.write(root));
    }

    /** Checks every rule of spec 2.3/2.4; the message names the offending key. */
    public void validate() throws ConfigException {
        ConfigValidator.validate(this);
    }

    /** This config with {@code backend.registry.auth} replaced; unchanged for other backends. */
    public NydusConfig withRegistryAuth(String auth) {
        Objects.requireNonNull(auth, "auth");
        if (backend.isPresent() && backend.get() instanceof RegistryConfig) {
            RegistryConfig r = (RegistryConfig) backend.get();
            return new NydusConfig(id, Optional.of(r.withAuth(auth)), externalBackends, cache, rafs,
                    overlay);
        }
        return this;
    }

    /**
     * Applies {@code IMAGE_PULL_AUTH} from {@code env} (spec 1.7): when the variable is set, even
     * to "", its value becomes the registry auth. The daemon calls this only for the startup
     * mount from {@code --config}, never for API mounts or the singleton.
     */
    public NydusConfig withImagePullAuth(Map<String, String> env) {
        String auth = env.get(IMAGE_PULL_AUTH_ENV);
        return auth == null ? this : withRegistryAuth(auth);
    }

    /** Same config with registry auth/token, OSS/S3 keys and the cache encryption key blanked. */
    public NydusConfig withoutSecrets() {
        Optional<BackendConfig> b = backend.map(NydusConfig::stripSecrets);
        Optional<CacheConfig> c = cache.map(x -> new CacheConfig(x.type(), x.compressed(),
                x.validate(), x.prefetch(), x.fileCache().map(FileCacheConfig::withoutSecrets),
                x.fsCache()));
        return new NydusConfig(id, b, externalBackends, c, rafs, overlay);
    }

    private static BackendConfig stripSecrets(BackendConfig b) {
        if (b instanceof RegistryConfig) {
            return ((RegistryConfig) b).withoutSecrets();
        }
        if (b instanceof OssConfig) {
            return ((OssConfig) b).withoutSecrets();
        }
        if (b instanceof S3Config) {
            return ((S3Config) b).withoutSecrets();
        }
        if (b instanceof HttpProxyConfig) {
            return ((HttpProxyConfig) b).withoutSecrets();
        }
        return b;
    }

    /** The v2 JSON document, credentials included. Parsing it gives back an equal record. */
    public String toJson() {
        return JsonTrees.write(ConfigWriter.toJson(this));
    }

    /** The v2 JSON document with credentials blanked, for {@code GET /api/v1/daemon} and logs. */
    public String toRedactedJson() {
        return JsonTrees.write(ConfigWriter.toJson(withoutSecrets()));
    }

    public BackendConfig backendOrThrow() throws ConfigException {
        return backend.orElseThrow(() ->
                ConfigException.invalid("backend", "no configuration information for backend"));
    }

    public CacheConfig cacheOrThrow() throws ConfigException {
        return cache.orElseThrow(() ->
                ConfigException.invalid("cache", "no configuration information for cache"));
    }

    public RafsConfig rafsOrThrow() throws ConfigException {
        return rafs.orElseThrow(() ->
                ConfigException.invalid("rafs", "no configuration information for rafs"));
    }

    /** Chunk digests are checked when {@code cache.validate} or {@code rafs.validate} is set. */
    public boolean isChunkValidationEnabled() {
        return cache.map(CacheConfig::validate).orElse(false)
                || rafs.map(RafsConfig::validate).orElse(false);
    }

    /** True when the cache section carries an {@code fscache} object, as upstream's is_fs_cache. */
    public boolean isFsCache() {
        return cache.map(c -> c.fsCache().isPresent()).orElse(false);
    }
}
