package dev.jnydus.sys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jnydus.common.Errno;
import dev.jnydus.common.FsException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class PositionalFileTest {
    @TempDir
    Path tmp;

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    @Test
    void heapAndDirectBuffersOfAnySizeRoundTrip() throws Exception {
        // Larger than the per-thread scratch buffer, so heap transfers go in pieces.
        byte[] data = random(PositionalFile.SCRATCH * 3 + 12345, 1);
        try (PositionalFile f = PositionalFile.openOrCreate(tmp.resolve("f"))) {
            f.write(ByteBuffer.wrap(data), 4096);
            ByteBuffer direct = ByteBuffer.allocateDirect(data.length);
            assertThat(f.read(direct, 4096)).isEqualTo(data.length);
            byte[] viaDirect = new byte[data.length];
            direct.flip().get(viaDirect);
            assertThat(viaDirect).isEqualTo(data);
            ByteBuffer heap = ByteBuffer.allocate(1000);
            heap.position(10);
            assertThat(f.read(heap, 4096 + 500)).isEqualTo(990);
            assertThat(Arrays.copyOfRange(heap.array(), 10, 1000)).isEqualTo(Arrays.copyOfRange(data, 500, 1490));
            assertThat(f.size()).isEqualTo(4096 + data.length);
        }
        assertThat(Files.readAllBytes(tmp.resolve("f"))).endsWith(data);
    }

    @Test
    void readStopsAtTheEndAndExtendingIsSparseAndNeverShrinks() throws Exception {
        try (PositionalFile f = PositionalFile.openOrCreate(tmp.resolve("f"))) {
            f.write(ByteBuffer.wrap(new byte[] {1, 2, 3}), 0);
            ByteBuffer dst = ByteBuffer.allocate(10);
            assertThat(f.read(dst, 1)).isEqualTo(2);
            assertThat(f.read(ByteBuffer.allocate(4), 100)).isZero();
            f.extendTo(1 << 20);
            assertThat(f.size()).isEqualTo(1 << 20);
            f.extendTo(10);
            assertThat(f.size()).isEqualTo(1 << 20);
            f.syncData();
        }
    }

    @Test
    void anInterruptedThreadNeitherFailsNorClosesTheFileForOthers() throws Exception {
        byte[] data = random(100_000, 2);
        try (PositionalFile f = PositionalFile.openOrCreate(tmp.resolve("f"))) {
            Thread.currentThread().interrupt();
            try {
                f.write(ByteBuffer.wrap(data), 0);
                ByteBuffer back = ByteBuffer.allocate(data.length);
                f.read(back, 0);
                assertThat(back.array()).isEqualTo(data);
                assertThat(Thread.currentThread().isInterrupted()).as("the interrupt is kept").isTrue();
            } finally {
                Thread.interrupted();
            }
            ByteBuffer again = ByteBuffer.allocate(data.length);
            f.read(again, 0);
            assertThat(again.array()).isEqualTo(data);
        }
    }

    /** What the class exists to avoid: an interrupt closes a FileChannel for every thread. */
    @Test
    void aFileChannelIsClosedByAnInterrupt() throws Exception {
        try (FileChannel ch = FileChannel.open(tmp.resolve("c"), StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            Thread.currentThread().interrupt();
            try {
                assertThatThrownBy(() -> ch.write(ByteBuffer.allocate(1), 0)).isInstanceOf(ClosedByInterruptException.class);
            } finally {
                Thread.interrupted();
            }
            assertThat(ch.isOpen()).isFalse();
        }
    }

    @Test
    void closeIsIdempotentAndLaterCallsAreEbadf() throws Exception {
        PositionalFile f = PositionalFile.openOrCreate(tmp.resolve("f"));
        f.close();
        f.close();
        assertThat(f.isOpen()).isFalse();
        assertThatThrownBy(() -> f.read(ByteBuffer.allocate(1), 0)).isInstanceOf(FsException.class)
                .extracting(e -> ((FsException) e).errno()).isEqualTo(Errno.EBADF);
    }

    @Test
    void aLockIsHeldPerOpenFileUntilItCloses() throws Exception {
        Path p = tmp.resolve("lock");
        try (PositionalFile a = PositionalFile.openOrCreate(p); PositionalFile b = PositionalFile.openOrCreate(p)) {
            assertThat(a.tryLock()).isTrue();
            assertThat(b.tryLock()).as("another open of the file, same process").isFalse();
            a.close();
            assertThat(b.tryLock()).isTrue();
        }
        PositionalFile.syncDirectory(tmp);
    }
}
