package dev.jnydus.sys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AnonymousMemoryTest {
    @TempDir
    Path tmp;

    @Test
    void aMappingIsZeroedWritableAndDirect() throws Exception {
        try (AnonymousMemory m = AnonymousMemory.map(3 * 4096 + 17)) {
            ByteBuffer b = m.buffer();
            assertThat(b.isDirect()).isTrue();
            assertThat(b.capacity()).isEqualTo(3 * 4096 + 17);
            for (int i = 0; i < b.capacity(); i += 1000) {
                assertThat(b.get(i)).isZero();
            }
            b.putLong(b.capacity() - 8, 0x1122334455667788L);
            assertThat(b.getLong(b.capacity() - 8)).isEqualTo(0x1122334455667788L);
            assertThat(m.buffer()).isSameAs(b);
            m.close();
            m.close();
        }
    }

    @Test
    void onlyTouchedPagesBecomeResident() throws Exception {
        // The point of the class: 256 MiB mapped, one page touched; nothing else in this test
        // allocates a fraction of that.
        long before = rssAnonKib();
        try (AnonymousMemory m = AnonymousMemory.map(256 << 20)) {
            m.buffer().put(0, (byte) 1);
            assertThat(rssAnonKib() - before).isLessThan(64 << 10);
        }
    }

    @Test
    void aNonPositiveLengthIsRefused() {
        assertThatThrownBy(() -> AnonymousMemory.map(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void unmappingResidentPagesOfAFileMappingKeepsItsBytes() throws Exception {
        byte[] data = new byte[5 * 4096 + 100];
        new Random(7).nextBytes(data);
        Path f = Files.write(tmp.resolve("f"), data);
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
            MappedByteBuffer mapped = ch.map(FileChannel.MapMode.READ_ONLY, 0, data.length);
            byte[] first = new byte[data.length];
            mapped.get(0, first);
            PageCache.unmapResident(mapped);
            byte[] again = new byte[data.length];
            mapped.get(0, again);
            assertThat(again).isEqualTo(data).isEqualTo(first);
            PageCache.unmapResident(mapped.slice(4096 + 10, 100));
            assertThat(mapped.get(4096 + 50)).isEqualTo(data[4096 + 50]);
        }
        assertThatThrownBy(() -> PageCache.unmapResident(ByteBuffer.allocate(8)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static long rssAnonKib() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("RssAnon:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new AssertionError("no RssAnon in /proc/self/status");
    }
}
