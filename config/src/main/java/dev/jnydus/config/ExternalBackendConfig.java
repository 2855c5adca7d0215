package dev.jnydus.config;

import java.util.Map;
import java.util.Objects;

/**
 * An extra backend for "external" blobs referenced by the image (v2 {@code external_backends}).
 *
 * @param patch identifies which image-side backend entries this one overrides
 * @param config items merged into the image-side backend configuration
 */
public record ExternalBackendConfig(String type, Map<String, String> patch, Map<String, String> config) {
    public ExternalBackendConfig {
        Objects.requireNonNull(type, "type");
        patch = Map.copyOf(patch);
        config = Map.copyOf(config);
    }
}
