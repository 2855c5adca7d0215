package dev.jnydus.config;

import java.util.Objects;

/** The fscache (cachefiles on-demand) settings; spec 2.3 and 6.6. */
public record FsCacheConfig(String workDir) {
    public FsCacheConfig {
        Objects.requireNonNull(workDir, "workDir");
    }
}
