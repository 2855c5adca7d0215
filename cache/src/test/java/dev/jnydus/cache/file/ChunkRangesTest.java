package dev.jnydus.cache.file;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jnydus.cache.device.ChunkInfo;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChunkRangesTest {
    private static ChunkInfo c(int index, long off, int size) {
        return ChunkInfo.of(0, index, off, size, index * 4096L, 4096, true, null);
    }

    private static List<List<Integer>> indices(List<List<ChunkInfo>> groups) {
        List<List<Integer>> out = new ArrayList<>();
        for (List<ChunkInfo> g : groups) {
            out.add(g.stream().map(ChunkInfo::index).toList());
        }
        return out;
    }

    @Test
    void adjacentChunksMergeUpToTheWindow() {
        List<ChunkInfo> cs = List.of(c(0, 0, 400), c(1, 400, 400), c(2, 800, 400), c(3, 1200, 400));
        assertThat(indices(ChunkRanges.merge(cs, 1000))).containsExactly(List.of(0, 1), List.of(2, 3));
        assertThat(indices(ChunkRanges.merge(cs, 1600))).containsExactly(List.of(0, 1, 2, 3));
    }

    @Test
    void windowZeroMeansOneRequestPerChunk() {
        List<ChunkInfo> cs = List.of(c(0, 0, 400), c(1, 400, 400));
        assertThat(indices(ChunkRanges.merge(cs, 0))).containsExactly(List.of(0), List.of(1));
    }

    @Test
    void gapsUpToOneHundredTwentyEighthOfTheWindowAreBridged() {
        // Window 128 KiB: gaps of up to 1 KiB are fetched and dropped; larger gaps split the request.
        List<ChunkInfo> cs = List.of(c(0, 0, 1000), c(1, 1000 + 1024, 1000), c(2, 3024 + 1025, 1000));
        assertThat(indices(ChunkRanges.merge(cs, 128 << 10))).containsExactly(List.of(0, 1), List.of(2));
    }

    @Test
    void chunksAreOrderedByCompressedOffsetAndALargeChunkStandsAlone() {
        List<ChunkInfo> cs = List.of(c(2, 5000, 100), c(0, 0, 5000), c(3, 5100, 100));
        List<List<ChunkInfo>> g = ChunkRanges.merge(cs, 1000);
        assertThat(indices(g)).containsExactly(List.of(0), List.of(2, 3));
        assertThat(ChunkRanges.start(g.get(1))).isEqualTo(5000);
        assertThat(ChunkRanges.end(g.get(1))).isEqualTo(5200);
    }

    @Test
    void inOrderMergingKeepsTheGivenOrderAndMergesWhatFollowsInTheBlob() {
        // A list read in the order 3, 0, 1, 2 (0..3 adjacent in the blob), then 5 far away.
        List<ChunkInfo> cs = List.of(c(3, 1200, 400), c(0, 0, 400), c(1, 400, 400), c(2, 800, 400), c(5, 9000, 100));
        assertThat(indices(ChunkRanges.mergeInOrder(cs, 1000))).containsExactly(List.of(3), List.of(0, 1), List.of(2),
                List.of(5));
        assertThat(indices(ChunkRanges.mergeInOrder(cs, 0))).hasSize(5);
        // In blob order it merges exactly as merge() does.
        List<ChunkInfo> sorted = List.of(c(0, 0, 400), c(1, 400, 400), c(2, 800, 400), c(3, 1200, 400));
        assertThat(indices(ChunkRanges.mergeInOrder(sorted, 1000))).isEqualTo(indices(ChunkRanges.merge(sorted, 1000)));
        assertThat(indices(ChunkRanges.mergeInOrder(sorted, 1600))).containsExactly(List.of(0, 1, 2, 3));
    }
}
