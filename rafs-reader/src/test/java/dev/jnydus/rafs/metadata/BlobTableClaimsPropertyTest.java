package dev.jnydus.rafs.metadata;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jnydus.testkit.Fixtures;
import dev.jnydus.testkit.ParseOrReject;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.time.Duration;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.statistics.Statistics;

/**
 * The blob table of the upstream v5 fixture with any claim in it: chunk counts, features and
 * sizes of the extended blob table set to arbitrary (mostly absurd) values, and bytes of the blob
 * id replaced ('/', '.', NUL, non-ASCII). The bootstrap either opens with a blob table the rest of
 * the daemon can size things by (at most upstream's 2^24 chunks per blob, sizes within upstream's
 * bounds, the id one safe file name) or is rejected with {@link RafsFormatException}.
 */
class BlobTableClaimsPropertyTest {
    /** s_blob_table_offset and s_extended_blob_table_offset of the fixture. */
    private static final int BLOB_TABLE = 0x20d8;
    private static final int EXT_TABLE = 0x2120;
    private static final ParseOrReject PARSER = new ParseOrReject(RafsFormatException.class, Duration.ofSeconds(10));

    @AfterContainer
    static void stop() {
        PARSER.close();
    }

    /** One blob-table entry's claims. */
    record Claims(int chunkCount, int features, long uncompressedSize, long compressedSize, int idPos, byte idByte) {
    }

    @Provide
    Arbitrary<Claims> claims() {
        Arbitrary<Integer> counts = Arbitraries.oneOf(Arbitraries.integers(),
                Arbitraries.of(0, 1, 23, 1 << 24, (1 << 24) + 1, Integer.MAX_VALUE, Integer.MIN_VALUE, -1));
        Arbitrary<Long> sizes = Arbitraries.oneOf(Arbitraries.longs(),
                Arbitraries.of(0L, 3508766L, 1L << 40, (1L << 40) + 1, 1L << 44, (1L << 44) + 1, -1L, Long.MAX_VALUE));
        Arbitrary<Byte> idBytes = Arbitraries.oneOf(Arbitraries.bytes(),
                Arbitraries.of((byte) '/', (byte) '.', (byte) 0, (byte) ' ', (byte) 0x7f, (byte) 0x80, (byte) 'a'));
        return Combinators.combine(counts, Arbitraries.integers(), sizes, sizes, Arbitraries.integers().between(-1, 63),
                idBytes).as(Claims::new);
    }

    @Property(tries = 2000)
    void aBlobTableEitherClaimsWhatCanBeHeldOrIsRejected(@ForAll("claims") Claims c) throws Exception {
        byte[] img = Files.readAllBytes(Fixtures.dir(Fixtures.V5_SHA256_NOCOMPRESS).resolve("bootstrap"));
        ByteBuffer le = ByteBuffer.wrap(img).order(ByteOrder.LITTLE_ENDIAN);
        le.putInt(EXT_TABLE, c.chunkCount()).putInt(EXT_TABLE + 4, c.features())
                .putLong(EXT_TABLE + 8, c.uncompressedSize()).putLong(EXT_TABLE + 16, c.compressedSize());
        if (c.idPos() >= 0) {
            img[BLOB_TABLE + 8 + c.idPos()] = c.idByte();
        }
        Statistics.collect(PARSER.check(() -> {
            try (RafsSuper sb = RafsSuper.fromBytes(img)) {
                for (BlobInfo b : sb.blobs()) {
                    assertThat(b.chunkCount()).isBetween(0, 1 << 24);
                    assertThat(b.uncompressedSize()).isBetween(0L, 1L << 44);
                    assertThat(b.compressedSize()).isBetween(0L, 1L << 40);
                    assertThat(b.blobId()).hasSizeBetween(1, 255).doesNotContain("/").isNotIn(".", "..")
                            .matches("[\\x21-\\x7e]+");
                }
            }
        }, c));
    }
}
