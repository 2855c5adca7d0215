/**
 * Chunk readiness: which chunks of a blob the local cache holds. {@link
 * dev.jnydus.cache.state.PersistedChunkMap} is upstream's {@code .chunk_map} file format; an
 * in-memory map serves blobs of unknown chunk count. Imports {@code common} and the JDK only.
 */
package dev.jnydus.cache.state;
