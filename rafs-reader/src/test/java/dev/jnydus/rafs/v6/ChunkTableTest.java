package dev.jnydus.rafs.v6;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jnydus.rafs.layout.ChunkRecord;
import dev.jnydus.rafs.layout.MetaBuffer;
import dev.jnydus.rafs.metadata.ChunkRef;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

class ChunkTableTest {
    private static final int BLOCK_BITS = 12;

    /** Records (blob index, chunk index, block address) in table order; compressed_offset = 1000 + record number. */
    private static MetaBuffer table(int[][] records) {
        ByteBuffer b = ByteBuffer.allocate(records.length * ChunkRecord.SIZE).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < records.length; i++) {
            int at = i * ChunkRecord.SIZE;
            b.putInt(at + 32, records[i][0]);
            b.putLong(at + 48, 1000 + i);
            b.putLong(at + 56, (long) records[i][2] << BLOCK_BITS);
            b.putInt(at + 72, records[i][1]);
        }
        return MetaBuffer.wrap(b.array());
    }

    @Test
    void everyRecordIsFoundByItsKeyInUnsignedOrder() throws Exception {
        // Blob indexes of 128 and more sort after the others (the key is unsigned); the table is
        // stored by digest, so keys come in no order; two records share a key.
        int[][] records = {
            {3, 7, 70}, {200, 1, 10}, {0, 0, 0}, {3, 2, 20}, {129, 5, 50}, {0, 9, 90}, {3, 7, 70}, {1, 4, 0xFFFF_FFF0},
        };
        ChunkTable t = new ChunkTable(table(records), 0, (long) records.length * ChunkRecord.SIZE, BLOCK_BITS);
        for (int i = 0; i < records.length; i++) {
            ChunkRef r = t.find(records[i][0], records[i][1], records[i][2] & 0xFFFF_FFFFL);
            assertThat(r).as("record %d", i).isNotNull();
            if (i == 0 || i == 6) {
                assertThat(r.compressedOffset()).as("record %d", i).isIn(1000L, 1006L);
            } else {
                assertThat(r.compressedOffset()).as("record %d", i).isEqualTo(1000L + i);
            }
        }
        assertThat(t.find(3, 7, 71)).isNull();
        assertThat(t.find(201, 1, 10)).isNull();
        assertThat(t.findByIndex(200, 1).compressedOffset()).isEqualTo(1001);
        assertThat(t.distinctChunks(3)).isEqualTo(2);
        assertThat(t.distinctChunks(0)).isEqualTo(2);
    }
}
