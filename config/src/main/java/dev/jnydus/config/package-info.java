/**
 * nydusd configuration documents: the v1 (legacy RAFS) and v2 formats, the blob cache entry
 * documents of the v2 API and the singleton config file, all turned into one normalized model in
 * the v2 shape ({@link dev.jnydus.config.NydusConfig}). Everything downstream reads the normalized
 * records only; the v1 shape exists only inside the converter.
 *
 * <p>Layer L1. Imports {@code common}, Jackson (JSON and TOML trees) and SLF4J; nothing else.
 * The public surface is the records, {@link dev.jnydus.config.ConfigException} and the static
 * entry points on {@link dev.jnydus.config.NydusConfig}, {@link dev.jnydus.config.BlobCacheEntry}
 * and {@link dev.jnydus.config.SingletonConfig}; readers, converter, validator and writer are
 * package-private.
 */
package dev.jnydus.config;
