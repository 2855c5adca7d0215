package dev.jnydus.backend.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jnydus.backend.BackendException;
import dev.jnydus.common.ChunkFlags;
import dev.jnydus.common.Compressor;
import dev.jnydus.common.Errno;
import java.util.Arrays;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Chunk framing as upstream writes it: raw LZ4 blocks, gzip members, zstd frames, exact sizes. */
class ChunkCodecTest {
    private static byte[] compressible(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) ("lazy image chunk ".charAt(i % 17));
        }
        return b;
    }

    @ParameterizedTest
    @EnumSource(value = Compressor.class, names = {"LZ4_BLOCK", "GZIP", "ZSTD"})
    void roundTripsAChunk(Compressor c) throws BackendException {
        byte[] data = compressible(1 << 20);
        byte[] stored = ChunkCodec.compress(c, data, data.length);
        assertThat(stored).isNotNull();
        assertThat(stored.length).isLessThan(data.length / 10);
        byte[] out = new byte[data.length];
        ChunkCodec.decompress(c, stored, stored.length, out, out.length);
        assertThat(out).isEqualTo(data);
    }

    /** A chunk is decoded where it lies among the bytes fetched for a range, its neighbours untouched. */
    @ParameterizedTest
    @EnumSource(value = Compressor.class, names = {"LZ4_BLOCK", "GZIP", "ZSTD"})
    void decodesAChunkInTheMiddleOfAFetchedRange(Compressor c) throws BackendException {
        byte[] data = compressible(300_000);
        byte[] stored = ChunkCodec.compress(c, data, data.length);
        byte[] range = new byte[stored.length + 2 * 4096];
        Arrays.fill(range, (byte) 0x5a);
        System.arraycopy(stored, 0, range, 4096, stored.length);
        assertThat(ChunkCodec.decodeChunk(c, ChunkFlags.COMPRESSED, range, 4096, stored.length,
                data.length)).isEqualTo(data);
        // One byte short of the chunk, with the neighbour's byte after it: never the chunk's data.
        assertThatThrownBy(() -> ChunkCodec.decodeChunk(c, ChunkFlags.COMPRESSED, range, 4096,
                stored.length - 1, data.length)).isInstanceOf(BackendException.class);
    }

    @ParameterizedTest
    @EnumSource(value = Compressor.class, names = {"LZ4_BLOCK", "GZIP", "ZSTD"})
    void incompressibleDataIsStoredRaw(Compressor c) {
        byte[] data = new byte[65536];
        new Random(1).nextBytes(data);
        assertThat(ChunkCodec.compress(c, data, data.length)).isNull();
        assertThat(ChunkCodec.compress(Compressor.NONE, data, data.length)).isNull();
    }

    @ParameterizedTest
    @EnumSource(value = Compressor.class, names = {"LZ4_BLOCK", "GZIP", "ZSTD"})
    void aWrongExpectedSizeIsAnError(Compressor c) {
        byte[] data = compressible(100_000);
        byte[] stored = ChunkCodec.compress(c, data, data.length);
        byte[] small = new byte[data.length - 1];
        byte[] big = new byte[data.length + 1];
        assertThatThrownBy(() -> ChunkCodec.decompress(c, stored, stored.length, small, small.length))
                .isInstanceOf(BackendException.class);
        assertThatThrownBy(() -> ChunkCodec.decompress(c, stored, stored.length, big, big.length))
                .isInstanceOf(BackendException.class).satisfies(e -> assertThat(((BackendException) e).errno())
                        .isEqualTo(Errno.EIO));
    }

    @ParameterizedTest
    @EnumSource(value = Compressor.class, names = {"LZ4_BLOCK", "GZIP", "ZSTD"})
    void truncatedInputIsAnError(Compressor c) {
        byte[] data = compressible(100_000);
        byte[] stored = ChunkCodec.compress(c, data, data.length);
        byte[] out = new byte[data.length];
        assertThatThrownBy(() -> ChunkCodec.decompress(c, stored, stored.length / 2, out, out.length))
                .isInstanceOf(BackendException.class).hasMessageContaining(c.label());
    }

    @Test
    void uncompressedChunksMustHaveTheExactSize() throws BackendException {
        byte[] data = compressible(10);
        byte[] out = new byte[10];
        ChunkCodec.decompress(Compressor.NONE, data, 10, out, 10);
        assertThat(out).isEqualTo(data);
        assertThatThrownBy(() -> ChunkCodec.decompress(Compressor.NONE, data, 10, new byte[11], 11))
                .isInstanceOf(BackendException.class);
    }

    /** Arbitrary bytes handed to a decoder either decode to exactly the size asked, or fail with EIO. */
    @Property(tries = 2000)
    void garbageNeverDecodesSilently(@ForAll @Size(max = 300) byte[] garbage, @ForAll("compressors") Compressor c) {
        byte[] out = new byte[4096];
        try {
            ChunkCodec.decompress(c, garbage, garbage.length, out, out.length);
        } catch (BackendException e) {
            assertThat(e.errno()).isEqualTo(Errno.EIO);
        }
    }

    @net.jqwik.api.Provide
    net.jqwik.api.Arbitrary<Compressor> compressors() {
        return net.jqwik.api.Arbitraries.of(Compressor.LZ4_BLOCK, Compressor.GZIP, Compressor.ZSTD);
    }

    /** Upstream's LZ4 chunks are plain blocks: the block decoder must take a block made by any LZ4 encoder. */
    @Test
    void lz4BlockFramingHasNoHeader() throws BackendException {
        byte[] data = compressible(4096);
        byte[] stored = ChunkCodec.compress(Compressor.LZ4_BLOCK, data, data.length);
        // An LZ4 frame would start with the magic 04 22 4D 18; a raw block starts with a token.
        assertThat(Arrays.copyOf(stored, 4)).isNotEqualTo(new byte[] {0x04, 0x22, 0x4D, 0x18});
        byte[] out = new byte[data.length];
        ChunkCodec.decompress(Compressor.LZ4_BLOCK, stored, stored.length, out, out.length);
        assertThat(out).isEqualTo(data);
    }
}
