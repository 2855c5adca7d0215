package dev.jnydus.backend.codec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jnydus.common.Digester;
import dev.jnydus.common.Hex;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Chunk digests against published test vectors. */
class ChunkDigestTest {
    @Test
    void blake3MatchesTheReferenceVectors() {
        // From the BLAKE3 reference test vectors (input length 0 and "abc").
        assertThat(ChunkDigest.hex(Digester.BLAKE3, new byte[0], 0, 0))
                .isEqualTo("af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262");
        byte[] abc = "abc".getBytes(StandardCharsets.US_ASCII);
        assertThat(ChunkDigest.hex(Digester.BLAKE3, abc, 0, 3))
                .isEqualTo("6437b3ac38465133ffb63b75273a8db548c558465d79db03fd359c6cd5bd9d85");
    }

    @Test
    void sha256MatchesFips180() {
        byte[] abc = "abc".getBytes(StandardCharsets.US_ASCII);
        assertThat(ChunkDigest.hex(Digester.SHA256, abc, 0, 3))
                .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    @Test
    void digestsCoverOnlyTheGivenRange() {
        byte[] padded = "xxabcyy".getBytes(StandardCharsets.US_ASCII);
        byte[] expected = Hex.parse("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assertThat(ChunkDigest.matches(Digester.SHA256, expected, padded, 2, 3)).isTrue();
        assertThat(ChunkDigest.matches(Digester.SHA256, expected, padded, 1, 3)).isFalse();
    }
}
