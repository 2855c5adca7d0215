package dev.jnydus.cache.file;

/**
 * Key of the in-memory chunk cache: a chunk number of a blob, and what the number is relative to
 * ({@link ChunkIdentity#numbering()}), so that numbers one open blob gave out never find data of
 * another.
 */
record ChunkKey(String blobId, Object numbering, int index) {
}
