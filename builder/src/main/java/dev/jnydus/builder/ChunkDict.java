package dev.jnydus.builder;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Chunks already stored, by digest and uncompressed size (upstream {@code HashChunkDict}): the
 * first occurrence of a digest is kept and every later one points at it.
 */
final class ChunkDict {
    private final Map<Key, Chunk> chunks = new HashMap<>();

    private record Key(byte[] digest, int size) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.size == size && Arrays.equals(k.digest, digest);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(digest) * 31 + size;
        }
    }

    Chunk get(byte[] digest, int uncompressedSize) {
        return chunks.get(new Key(digest, uncompressedSize));
    }

    void putIfAbsent(Chunk c) {
        chunks.putIfAbsent(new Key(c.digest(), c.uncompressedSize()), c);
    }

    /** Every chunk of {@code tree}, first occurrence in upstream's breadth-first order kept. */
    void putAll(Tree tree) {
        tree.walkBfs(t -> t.node.chunks.forEach(this::putIfAbsent));
    }
}
