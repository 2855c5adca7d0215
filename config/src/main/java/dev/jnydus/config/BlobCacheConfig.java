package dev.jnydus.config;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The storage stack of a blob cache entry (upstream {@code BlobCacheEntryConfigV2}): a backend, a
 * cache and the bootstrap path, with no RAFS section. Legacy {@code config} objects are converted
 * to this shape.
 *
 * @param metadataPath the RAFS v6 bootstrap of a {@code bootstrap} entry
 */
public record BlobCacheConfig(String id, BackendConfig backend,
                              List<ExternalBackendConfig> externalBackends, CacheConfig cache,
                              Optional<String> metadataPath) {
    public BlobCacheConfig {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(backend, "backend");
        externalBackends = List.copyOf(externalBackends);
        Objects.requireNonNull(cache, "cache");
        Objects.requireNonNull(metadataPath, "metadataPath");
    }

    /** The config a blob object is created with (upstream {@code From<&BlobCacheEntryConfigV2>}). */
    public NydusConfig toNydusConfig() {
        return new NydusConfig(id, Optional.of(backend), externalBackends, Optional.of(cache),
                Optional.empty(), Optional.empty());
    }
}
