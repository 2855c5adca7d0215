package dev.jnydus.cache.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PersistedChunkMapTest {
    @TempDir
    Path dir;

    private static ByteBuffer le(byte[] b) {
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    }

    @Test
    void newFileHasUpstreamsHeaderAndSize() throws Exception {
        Path p = dir.resolve("b.blob.data.chunk_map");
        try (PersistedChunkMap m = PersistedChunkMap.open(p, 17)) {
            assertThat(m.readyCount()).isZero();
            assertThat(m.repairs()).isEmpty();
        }
        byte[] f = Files.readAllBytes(p);
        assertThat(f).hasSize(4096 + 3);
        assertThat(le(f).getInt(0)).isEqualTo(0x424D4150);
        assertThat(le(f).getInt(4)).isEqualTo(1);
        assertThat(le(f).getInt(8)).isEqualTo(0x434D4150);
        assertThat(le(f).getInt(12)).isZero();
        for (int i = 16; i < f.length; i++) {
            assertThat(f[i]).as("byte %d", i).isZero();
        }
    }

    @Test
    void bitsAreMostSignificantFirstAsUpstreamDocuments() throws Exception {
        // Upstream's own example: set_ready(3) turns [0, 0] into [0b00010000, 0].
        Path p = dir.resolve("m");
        try (PersistedChunkMap m = PersistedChunkMap.open(p, 16)) {
            assertThat(m.markReady(3)).isTrue();
            assertThat(m.markReady(3)).isFalse();
            m.markReady(8);
            m.markReady(15);
        }
        byte[] f = Files.readAllBytes(p);
        assertThat(f[4096]).isEqualTo((byte) 0b0001_0000);
        assertThat(f[4097]).isEqualTo((byte) 0b1000_0001);
    }

    @Test
    void aChunkAnotherOpenerStoredIsReadyHereToo() throws Exception {
        // Two openers of one file stand for two daemons sharing a work_dir (a hot upgrade's old and
        // new daemon): what one stores after the other loaded the map is not fetched again.
        Path p = dir.resolve("shared");
        try (PersistedChunkMap older = PersistedChunkMap.open(p, 100);
             PersistedChunkMap newer = PersistedChunkMap.open(p, 100)) {
            assertThat(newer.isReady(42)).isFalse();
            older.markReady(42);
            assertThat(newer.isReady(42)).isTrue();
            assertThat(newer.readyCount()).isEqualTo(1);
            assertThat(newer.isReady(42)).isTrue();
            assertThat(newer.readyCount()).as("adopted once").isEqualTo(1);
            assertThat(newer.markReady(42)).as("already ready").isFalse();
            assertThat(newer.isReady(43)).isFalse();
        }
    }

    @Test
    void readinessSurvivesReopenAndAllReadyIsRecorded() throws Exception {
        Path p = dir.resolve("m");
        try (PersistedChunkMap m = PersistedChunkMap.open(p, 10)) {
            for (int i = 0; i < 9; i++) {
                m.markReady(i);
            }
            assertThat(m.allReady()).isFalse();
        }
        try (PersistedChunkMap m = PersistedChunkMap.open(p, 10)) {
            assertThat(m.readyCount()).isEqualTo(9);
            assertThat(m.isReady(8)).isTrue();
            assertThat(m.isReady(9)).isFalse();
            m.markReady(9);
            assertThat(m.allReady()).isTrue();
        }
        assertThat(le(Files.readAllBytes(p)).getInt(12)).isEqualTo(0x4D4D4150);
        try (PersistedChunkMap m = PersistedChunkMap.open(p, 10)) {
            assertThat(m.clearReady(4)).isTrue();
            assertThat(m.allReady()).isFalse();
        }
        byte[] f = Files.readAllBytes(p);
        assertThat(le(f).getInt(12)).isZero();
        assertThat(f[4096]).isEqualTo((byte) 0b1111_0111);
    }

    @Test
    void allReadyHeaderMarksEveryChunkEvenIfBitsAreMissing() throws Exception {
        Path p = dir.resolve("m");
        PersistedChunkMap.open(p, 12).close();
        byte[] f = Files.readAllBytes(p);
        le(f).putInt(12, 0x4D4D4150);
        Files.write(p, f);
        try (PersistedChunkMap m = PersistedChunkMap.open(p, 12)) {
            assertThat(m.readyCount()).isEqualTo(12);
            assertThat(m.isReady(11)).isTrue();
        }
    }

    @Test
    void fullBitmapWithoutAllReadyGetsTheHeaderAtOpen() throws Exception {
        Path p = dir.resolve("m");
        PersistedChunkMap.open(p, 8).close();
        byte[] f = Files.readAllBytes(p);
        f[4096] = (byte) 0xff;
        Files.write(p, f);
        try (PersistedChunkMap m = PersistedChunkMap.open(p, 8)) {
            assertThat(m.allReady()).isTrue();
        }
        assertThat(le(Files.readAllBytes(p)).getInt(12)).isEqualTo(0x4D4D4150);
    }

    @Test
    void bitsBeyondTheChunkCountAreIgnored() throws Exception {
        Path p = dir.resolve("m");
        PersistedChunkMap.open(p, 3).close();
        byte[] f = Files.readAllBytes(p);
        f[4096] = (byte) 0b0001_1111;
        Files.write(p, f);
        try (PersistedChunkMap m = PersistedChunkMap.open(p, 3)) {
            assertThat(m.readyCount()).isZero();
        }
    }

    @Test
    void wrongSizeIsRebuiltEmpty() throws Exception {
        Path p = dir.resolve("m");
        Files.write(p, new byte[4096 + 100]);
        try (PersistedChunkMap m = PersistedChunkMap.open(p, 16)) {
            assertThat(m.readyCount()).isZero();
            assertThat(m.repairs()).singleElement().asString().contains("does not match");
        }
        assertThat(Files.size(p)).isEqualTo(4096 + 2);
    }

    @Test
    void allZeroFileIsReinitialisedAndForeignHeaderRebuilt() throws Exception {
        Path p = dir.resolve("m");
        Files.write(p, new byte[4096 + 2]);
        try (PersistedChunkMap m = PersistedChunkMap.open(p, 16)) {
            assertThat(m.repairs()).singleElement().asString().contains("all-zero");
        }
        byte[] f = Files.readAllBytes(p);
        assertThat(le(f).getInt(0)).isEqualTo(0x424D4150);
        f[0] = 1;
        f[4096] = (byte) 0xff;
        Files.write(p, f);
        try (PersistedChunkMap m = PersistedChunkMap.open(p, 16)) {
            assertThat(m.readyCount()).isZero();
            assertThat(m.repairs()).singleElement().asString().contains("bad magic");
        }
    }

    @Test
    void indexOutsideTheMapIsRefused() throws Exception {
        try (PersistedChunkMap m = PersistedChunkMap.open(dir.resolve("m"), 5)) {
            assertThatThrownBy(() -> m.markReady(5)).isInstanceOf(IndexOutOfBoundsException.class)
                    .hasMessageContaining("5");
        }
        assertThatThrownBy(() -> PersistedChunkMap.open(dir.resolve("z"), 0)).hasMessageContaining("0");
    }
}
