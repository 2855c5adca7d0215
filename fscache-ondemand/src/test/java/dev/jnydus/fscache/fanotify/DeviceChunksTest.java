package dev.jnydus.fscache.fanotify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jnydus.cache.device.ChunkInfo;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

class DeviceChunksTest {
    private static ChunkInfo chunk(int index, long uoff, int usize) {
        return ChunkInfo.of(0, index, index * 1000L, 1000, uoff, usize, true, null);
    }

    @Test
    void findsTheChunksARangeTouches() {
        // Chunks of 1 MiB, 4 KiB-aligned like v6 (the last one short), stored out of order.
        List<ChunkInfo> list = new ArrayList<>(List.of(chunk(2, 2 << 20, 1 << 20), chunk(0, 0, 1 << 20),
                chunk(1, 1 << 20, 1 << 20), chunk(3, 3 << 20, 5000)));
        DeviceChunks d = new DeviceChunks("b", list);
        assertThat(d.overlapping(0, 4096)).extracting(ChunkInfo::index).containsExactly(0);
        assertThat(d.overlapping((1 << 20) - 4096, (1 << 20) + 4096)).extracting(ChunkInfo::index).containsExactly(0, 1);
        assertThat(d.overlapping(1 << 20, 2 << 20)).extracting(ChunkInfo::index).containsExactly(1);
        // The block after the short last chunk holds no chunk: nothing to fill.
        assertThat(d.overlapping((3 << 20) + 8192, (3 << 20) + 12288)).isEmpty();
        assertThat(d.overlapping(5, 5)).isEmpty();
    }

    @Test
    void aDeduplicatedChunkCountsOnce() {
        DeviceChunks d = new DeviceChunks("b", List.of(chunk(0, 0, 4096), chunk(0, 0, 4096), chunk(1, 4096, 4096)));
        assertThat(d.size()).isEqualTo(2);
    }

    @Test
    void overlappingChunksAreRefused() {
        assertThatThrownBy(() -> new DeviceChunks("blob-x", List.of(chunk(0, 0, 8192), chunk(1, 4096, 4096))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("blob-x").hasMessageContaining("overlap");
    }

    @Property(tries = 300)
    void agreesWithAScanOfEveryChunk(@ForAll @IntRange(min = 0, max = 40) int n, @ForAll long seed,
                                     @ForAll @LongRange(min = 0, max = 200_000) long start,
                                     @ForAll @LongRange(min = 0, max = 100_000) long length) {
        Random r = new Random(seed);
        List<ChunkInfo> list = new ArrayList<>();
        long pos = 0;
        for (int i = 0; i < n; i++) {
            pos += 4096L * r.nextInt(3);
            int size = 1 + r.nextInt(12_000);
            list.add(chunk(i, pos, size));
            pos = (pos + size + 4095) & -4096L;
        }
        List<ChunkInfo> shuffled = new ArrayList<>(list);
        Collections.shuffle(shuffled, r);
        DeviceChunks d = new DeviceChunks("b", shuffled);
        List<Integer> want = new ArrayList<>();
        for (ChunkInfo c : list) {
            if (c.uncompressedOffset() < start + length && c.uncompressedEnd() > start && length > 0) {
                want.add(c.index());
            }
        }
        assertThat(d.overlapping(start, start + length)).extracting(ChunkInfo::index).containsExactlyElementsOf(want);
    }
}
