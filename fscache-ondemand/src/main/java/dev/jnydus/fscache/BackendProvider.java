package dev.jnydus.fscache;

import dev.jnydus.backend.BlobBackend;
import dev.jnydus.config.BlobCacheConfig;
import java.io.IOException;

/**
 * Creates the backend of a bound image from its entry's configuration. The daemon supplies it
 * (it owns the mapping from configuration to backend options, timers and environment); tests pass
 * in-memory or recording backends.
 */
@FunctionalInterface
public interface BackendProvider {
    BlobBackend create(BlobCacheConfig config) throws IOException;
}
