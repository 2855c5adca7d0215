package dev.jnydus.backend.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jnydus.backend.BackendException;
import dev.jnydus.backend.BlobReader;
import dev.jnydus.backend.RequestSource;
import dev.jnydus.common.Compressor;
import dev.jnydus.common.Digester;
import dev.jnydus.common.Errno;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ChunkVerifierTest {
    private final byte[] blob = new byte[8192];

    /** Serves the blob, flipping a byte in the first {@code corruptReads} reads. */
    private BlobReader reader(AtomicInteger corruptReads) {
        new Random(11).nextBytes(blob);
        return new BlobReader() {
            @Override
            public String blobId() {
                return "b";
            }

            @Override
            public long size() {
                return blob.length;
            }

            @Override
            public int tryRead(ByteBuffer dst, long offset) {
                int n = Math.min(dst.remaining(), blob.length - (int) offset);
                byte[] part = Arrays.copyOfRange(blob, (int) offset, (int) offset + n);
                if (corruptReads.getAndDecrement() > 0) {
                    part[n / 2] ^= 0x40;
                }
                dst.put(part);
                return n;
            }
        };
    }

    @Test
    void aCorruptReadIsReadAgainAndOnlyVerifiedDataReturned() throws Exception {
        BlobReader r = reader(new AtomicInteger(1));
        byte[] digest = ChunkDigest.digest(Digester.SHA256, blob, 1024, 2048);
        byte[] out = ChunkVerifier.readVerified(r, 1024, 2048, Compressor.NONE, 2048, Digester.SHA256, digest,
                RequestSource.ON_DEMAND, 2);
        assertThat(out).isEqualTo(Arrays.copyOfRange(blob, 1024, 3072));
    }

    @Test
    void persistentCorruptionIsEioAndNeverServed() {
        BlobReader r = reader(new AtomicInteger(5));
        byte[] digest = ChunkDigest.digest(Digester.BLAKE3, blob, 0, 4096);
        assertThatThrownBy(() -> ChunkVerifier.readVerified(r, 0, 4096, Compressor.NONE, 4096, Digester.BLAKE3,
                digest, RequestSource.ON_DEMAND, 3)).isInstanceOfSatisfying(BackendException.class, e -> {
                    assertThat(e.errno()).isEqualTo(Errno.EIO);
                    assertThat(e.getMessage()).contains("data digest value doesn't match");
                });
    }
}
