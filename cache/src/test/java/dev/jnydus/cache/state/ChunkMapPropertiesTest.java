package dev.jnydus.cache.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

class ChunkMapPropertiesTest {
    /**
     * Any sequence of marks and clears, persisted and reopened, reads back as the same set, and the
     * file's bitmap holds exactly those bits (MSB first) with all_ready set iff every chunk is.
     */
    @Property(tries = 60)
    void persistedStateMatchesAModel(@ForAll @IntRange(min = 1, max = 300) int count,
                                     @ForAll @Size(max = 400) List<@IntRange(min = -300, max = 299) Integer> ops)
            throws Exception {
        Path dir = Files.createTempDirectory("chunkmap");
        Path p = dir.resolve("x.blob.data.chunk_map");
        BitSet model = new BitSet();
        try {
            try (PersistedChunkMap m = PersistedChunkMap.open(p, count)) {
                for (int op : ops) {
                    int i = Math.floorMod(op, count);
                    if (op >= 0) {
                        assertThat(m.markReady(i)).isEqualTo(!model.get(i));
                        model.set(i);
                    } else {
                        assertThat(m.clearReady(i)).isEqualTo(model.get(i));
                        model.clear(i);
                    }
                }
            }
            byte[] f = Files.readAllBytes(p);
            for (int i = 0; i < count; i++) {
                boolean bit = (f[4096 + (i >> 3)] & (0x80 >>> (i & 7))) != 0;
                assertThat(bit).as("bit %d", i).isEqualTo(model.get(i));
            }
            int allReady = java.nio.ByteBuffer.wrap(f).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt(12);
            assertThat(allReady == PersistedChunkMap.MAGIC_ALL_READY).isEqualTo(model.cardinality() == count);
            try (PersistedChunkMap m = PersistedChunkMap.open(p, count)) {
                assertThat(m.readyCount()).isEqualTo(model.cardinality());
                for (int i = 0; i < count; i++) {
                    assertThat(m.isReady(i)).isEqualTo(model.get(i));
                }
            }
        } finally {
            Files.deleteIfExists(p);
            Files.deleteIfExists(dir);
        }
    }
}
