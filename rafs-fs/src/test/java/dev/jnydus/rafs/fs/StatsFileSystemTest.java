package dev.jnydus.rafs.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jnydus.common.Errno;
import dev.jnydus.common.FsException;
import dev.jnydus.common.Ticker;
import dev.jnydus.fuse.api.Context;
import dev.jnydus.fuse.api.FileSystem;
import dev.jnydus.fuse.api.ReadOnlyFileSystem;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class StatsFileSystemTest {
    private static final Context CTX = new Context(1, 0, 0, 1);

    /** Reads give {@code size} bytes of file 5; anything else on file 7 fails with EIO. */
    private static final class FakeFs implements ReadOnlyFileSystem {
        @Override
        public void read(Context ctx, long nodeId, long fh, long offset, ByteBuffer dst) throws FsException {
            if (nodeId == 7) {
                throw new FsException(Errno.EIO);
            }
            int n = (int) Math.min(dst.remaining(), 5000 - offset);
            dst.position(dst.position() + Math.max(0, n));
        }

        @Override
        public void access(Context ctx, long nodeId, int mask) throws FsException {
            if (nodeId == 7) {
                throw new IllegalStateException("a bug");
            }
        }
    }

    @Test
    void forwardsEveryOperationRafsImplements() {
        List<String> missing = new ArrayList<>();
        for (Method m : RafsFileSystem.class.getDeclaredMethods()) {
            if (!java.lang.reflect.Modifier.isPublic(m.getModifiers())) {
                continue;
            }
            try {
                FileSystem.class.getMethod(m.getName(), m.getParameterTypes());
            } catch (NoSuchMethodException e) {
                continue;
            }
            try {
                StatsFileSystem.class.getDeclaredMethod(m.getName(), m.getParameterTypes());
            } catch (NoSuchMethodException e) {
                missing.add(m.getName() + Arrays.toString(m.getParameterTypes()));
            }
        }
        assertThat(missing).as("FileSystem methods RafsFileSystem overrides but StatsFileSystem does not forward")
                .isEmpty();
    }

    @Test
    void countsWhatTheOperationsDid() throws Exception {
        AtomicLong now = new AtomicLong();
        Ticker ticker = now::get;
        Clock clock = Clock.fixed(Instant.ofEpochSecond(1_700_000_000, 5), ZoneOffset.UTC);
        FsIoStats stats = new FsIoStats("/m", true, true, true, ticker, clock);
        StatsFileSystem fs = new StatsFileSystem(new FakeFs(), stats);

        fs.read(CTX, 5, 0, 0, ByteBuffer.allocate(4096));
        fs.read(CTX, 5, 0, 4096, ByteBuffer.allocate(4096));
        fs.read(CTX, 6, 0, 0, ByteBuffer.allocate(512));
        fs.read(CTX, 8, 0, 0, ByteBuffer.allocate(512));
        assertThatThrownBy(() -> fs.read(CTX, 7, 0, 0, ByteBuffer.allocate(512))).isInstanceOf(FsException.class);
        assertThatThrownBy(() -> fs.access(CTX, 7, 0)).isInstanceOf(IllegalStateException.class);
        fs.access(CTX, 5, 0);

        int read = FsIoStats.Fop.READ.ordinal();
        int access = FsIoStats.Fop.ACCESS.ordinal();
        assertThat(stats.fopHits()[read]).isEqualTo(4);
        assertThat(stats.fopErrors()[read]).isEqualTo(1);
        assertThat(stats.fopHits()[access]).isEqualTo(1);
        assertThat(stats.fopErrors()[access]).as("a runtime failure is a failure too").isEqualTo(1);
        assertThat(stats.dataRead()).isEqualTo(4096 + 904 + 512 + 512);
        assertThat(stats.blockCountRead()).as("a failed read counts as 0 bytes, as upstream").containsExactly(4, 0, 1, 0, 0, 0, 0, 0);
        assertThat(stats.readLatencyDist()[0]).isEqualTo(5);
        assertThat(stats.fopHits()).hasSize(15);
        assertThat(stats.files().get(5L).dataRead()).isEqualTo(5000);
        assertThat(stats.files().get(5L).fopHits()[read]).isEqualTo(2);
        assertThat(stats.files().get(7L).fopErrors()[read]).isEqualTo(1);
        assertThat(stats.patterns()).extracting(FsIoStats.Pattern::ino).containsExactly(5L, 6L, 7L, 8L);
        assertThat(stats.patterns().get(0).nrRead()).isEqualTo(2);
        assertThat(stats.patterns().get(0).firstAccessSecs()).isEqualTo(1_700_000_000L);
        List<long[]> latest = stats.takeLatestReadFiles();
        assertThat(latest).hasSize(2);
        assertThat(latest.get(0)).containsExactly(5, 6);
        assertThat(latest.get(1)).containsExactly(8);
        assertThat(stats.takeLatestReadFiles()).as("cleared by the query").isEmpty();
    }

    @Test
    void aReadAnsweredLaterIsRecordedWhenItsAnswerComes() throws Exception {
        CompletableFuture<ByteBuffer> ok = new CompletableFuture<>();
        CompletableFuture<ByteBuffer> failing = new CompletableFuture<>();
        FsIoStats stats = new FsIoStats("/m", true, false, false, () -> 0L, Clock.systemUTC());
        StatsFileSystem fs = new StatsFileSystem(new ReadOnlyFileSystem() {
            @Override
            public CompletionStage<ByteBuffer> readAsync(Context ctx, long nodeId, long fh, long offset,
                    ByteBuffer dst) {
                return nodeId == 9 ? ok : failing;
            }
        }, stats);
        int read = FsIoStats.Fop.READ.ordinal();
        assertThat(fs.readAsync(CTX, 9, 0, 0, ByteBuffer.allocate(4096))).isSameAs(ok);
        assertThat(fs.readAsync(CTX, 10, 0, 0, ByteBuffer.allocate(4096))).isSameAs(failing);
        assertThat(stats.fopHits()[read] + stats.fopErrors()[read]).as("nothing answered yet").isZero();
        ok.complete(ByteBuffer.allocate(300));
        failing.completeExceptionally(new FsException(Errno.EIO));
        assertThat(stats.fopHits()[read]).isEqualTo(1);
        assertThat(stats.fopErrors()[read]).isEqualTo(1);
        assertThat(stats.dataRead()).isEqualTo(300);
        assertThat(stats.files().get(9L).dataRead()).isEqualTo(300);
    }

    @Test
    void switchedOffRecordersKeepOnlyTheGlobalCounters() throws Exception {
        FsIoStats stats = new FsIoStats("/", false, false, false, () -> 0L, Clock.systemUTC());
        new StatsFileSystem(new FakeFs(), stats).read(CTX, 5, 0, 0, ByteBuffer.allocate(100));
        assertThat(stats.dataRead()).isEqualTo(100);
        assertThat(stats.files()).isEmpty();
        assertThat(stats.patterns()).isEmpty();
        assertThat(stats.takeLatestReadFiles()).isEmpty();
    }
}
