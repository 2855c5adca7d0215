package dev.jnydus.cache.file;

/** Key of the in-memory chunk cache. */
record ChunkKey(String blobId, int index) {
}
