package dev.jnydus.daemon;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Jackson's mapper for the daemon's endpoints that build trees from objects (metrics, runtime
 * configuration), made the first time one asks for it: a class is initialised on the first use of
 * its field, and an {@code ObjectMapper} is a few hundred classes and the JDK's locale tables, which
 * neither a start nor the daemon's state answer should wait for (those use
 * {@link dev.jnydus.config.JsonTrees}).
 */
final class LazyObjectMapper {
    static final ObjectMapper INSTANCE = new ObjectMapper();

    private LazyObjectMapper() {
    }
}
