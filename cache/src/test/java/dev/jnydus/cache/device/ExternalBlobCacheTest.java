package dev.jnydus.cache.device;

import static dev.jnydus.cache.device.TestImages.info;
import static dev.jnydus.cache.device.TestImages.infoWithoutTable;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jnydus.common.Compressor;
import dev.jnydus.common.Digester;
import dev.jnydus.common.Errno;
import dev.jnydus.common.FsException;
import dev.jnydus.testkit.FakeBlob;
import dev.jnydus.testkit.FlakyBlobBackend;
import dev.jnydus.testkit.InMemoryBlobBackend;
import dev.jnydus.testkit.RecordingBlobBackend;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Blobs cached in a file the cache only writes: fscache's anonymous fd, played by a byte array. */
class ExternalBlobCacheTest {
    @TempDir
    Path work;

    /** A sparse file in memory with 4 KiB blocks; blocks written are data, the rest holes. */
    static class SparseFile implements ExternalCacheFile {
        final byte[] bytes;
        final BitSet written = new BitSet();
        int writes;

        SparseFile(long size) {
            bytes = new byte[(int) ((size + 4095) & ~4095L)];
        }

        @Override
        public void write(long offset, ByteBuffer data) throws IOException {
            before(offset);
            store(offset, data);
        }

        /** Runs before each write: a hook for the tests of failing and slow writes. */
        void before(long offset) throws IOException {
        }

        private synchronized void store(long offset, ByteBuffer data) throws IOException {
            if (offset % 4096 != 0) {
                throw new IOException("unaligned write at " + offset);
            }
            int n = data.remaining();
            data.duplicate().get(bytes, (int) offset, n);
            written.set((int) (offset / 4096), (int) ((offset + n + 4095) / 4096));
            writes++;
        }

        @Override
        public synchronized long nextData(long offset) {
            int b = written.nextSetBit((int) (offset / 4096));
            return b < 0 || (long) b * 4096 >= bytes.length ? -1 : Math.max(offset, (long) b * 4096);
        }

        @Override
        public synchronized long nextHole(long offset) {
            if (offset >= bytes.length) {
                return -1;
            }
            int b = written.nextClearBit((int) (offset / 4096));
            return Math.min(bytes.length, Math.max(offset, (long) b * 4096));
        }

        @Override
        public String name() {
            return "sparse";
        }
    }

    private static FakeBlob blob(int chunkSize, int... fileSizes) {
        FakeBlob.Builder b = FakeBlob.builder().compressor(Compressor.ZSTD).digester(Digester.BLAKE3).chunkSize(chunkSize);
        long seed = 7;
        for (int size : fileSizes) {
            b.addFile(FakeBlob.data(seed++, size, true));
        }
        return b.build();
    }

    private CacheOptions.Builder fscache() {
        return CacheOptions.builder(CacheType.FSCACHE).workDir(work).memoryCacheBytes(0);
    }

    @Test
    void fillsTheRequestedRangeDecompressedAtUncompressedOffsets() throws Exception {
        FakeBlob b = blob(64 << 10, 300_000, 5_000, 200_001);
        RecordingBlobBackend backend = new RecordingBlobBackend(new InMemoryBlobBackend().put(b));
        SparseFile file = new SparseFile(b.uncompressedSize());
        try (CacheManager m = CacheFactory.builder(fscache().amplifyIo(0).build(), backend).build();
             ExternalBlobCache blob = m.openExternal(info(0, b), file)) {
            assertThat(blob.readyChunks()).isZero();
            // A kernel READ of 128 KiB in the middle of the first file: two 64 KiB chunks, plus the
            // one it starts in.
            assertThat(blob.fill(100_000, 131_072)).isEqualTo(3);
            assertThat(backend.requestCount()).isEqualTo(3);
            for (FakeBlob.Chunk c : b.chunks().subList(1, 4)) {
                int from = (int) c.uncompressedOffset();
                assertThat(Arrays.copyOfRange(file.bytes, from, from + c.uncompressedSize())).isEqualTo(b.chunkData(c));
            }
            // Asking again costs nothing.
            assertThat(blob.fill(100_000, 131_072)).isZero();
            assertThat(backend.requestCount()).isEqualTo(3);
            // The whole blob, then the file equals the uncompressed image.
            blob.fill(0, b.uncompressedSize());
            assertThat(blob.isAllDataReady()).isTrue();
            assertThat(Arrays.copyOf(file.bytes, (int) b.uncompressedSize())).isEqualTo(b.uncompressedImage());
        }
    }

    @Test
    void readinessIsRebuiltFromTheFilesExtents() throws Exception {
        FakeBlob b = blob(64 << 10, 400_000);
        RecordingBlobBackend backend = new RecordingBlobBackend(new InMemoryBlobBackend().put(b));
        SparseFile file = new SparseFile(b.uncompressedSize());
        try (CacheManager m = CacheFactory.builder(fscache().amplifyIo(0).build(), backend).build()) {
            try (ExternalBlobCache blob = m.openExternal(info(0, b), file)) {
                blob.fill(0, 200_000);
            }
            int ready;
            try (ExternalBlobCache again = m.openExternal(info(0, b), file)) {
                ready = again.readyChunks();
                backend.reset();
                assertThat(again.fill(0, 200_000)).isZero();
                assertThat(backend.requestCount()).isZero();
            }
            assertThat(ready).isEqualTo(4);
            // A torn chunk (its last block missing) counts as absent.
            FakeBlob.Chunk c = b.chunks().get(1);
            file.written.clear((int) ((c.uncompressedOffset() + c.uncompressedSize() - 1) / 4096));
            try (ExternalBlobCache again = m.openExternal(info(0, b), file)) {
                assertThat(again.readyChunks()).isEqualTo(3);
                assertThat(again.fill(c.uncompressedOffset(), 1)).isEqualTo(1);
            }
        }
    }

    @Test
    void amplifiesAMissIntoTheFollowingChunks() throws Exception {
        FakeBlob b = blob(64 << 10, 1_000_000);
        RecordingBlobBackend backend = new RecordingBlobBackend(new InMemoryBlobBackend().put(b));
        SparseFile file = new SparseFile(b.uncompressedSize());
        try (CacheManager m = CacheFactory.builder(fscache().build(), backend).build();
             ExternalBlobCache blob = m.openExternal(info(0, b), file)) {
            blob.fill(0, 4096);
            assertThat(backend.requestCount()).isEqualTo(1);
            assertThat(blob.readyChunks()).isGreaterThan(1);
        }
    }

    @Test
    void prefetchFillsTheWholeBlob() throws Exception {
        FakeBlob b = blob(64 << 10, 500_000, 70_000);
        RecordingBlobBackend backend = new RecordingBlobBackend(new InMemoryBlobBackend().put(b));
        SparseFile file = new SparseFile(b.uncompressedSize());
        CacheOptions o = fscache().prefetch(PrefetchOptions.enabled(2, 256 << 10, 0, true)).build();
        try (CacheManager m = CacheFactory.builder(o, backend).build();
             ExternalBlobCache blob = m.openExternal(info(0, b), file)) {
            assertThat(blob.prefetchAll()).isPositive();
            assertThat(blob.awaitPrefetch(Duration.ofSeconds(30))).isTrue();
            assertThat(blob.isAllDataReady()).isTrue();
            assertThat(Arrays.copyOf(file.bytes, (int) b.uncompressedSize())).isEqualTo(b.uncompressedImage());
        }
    }

    @Test
    void aBackendFailureIsEioAndNothingIsMarkedReady() throws Exception {
        FakeBlob b = blob(64 << 10, 200_000);
        FlakyBlobBackend backend = new FlakyBlobBackend(new InMemoryBlobBackend().put(b)).failAll(true);
        SparseFile file = new SparseFile(b.uncompressedSize());
        try (CacheManager m = CacheFactory.builder(fscache().build(), backend).build();
             ExternalBlobCache blob = m.openExternal(info(0, b), file)) {
            assertThatThrownBy(() -> blob.fill(0, 4096))
                    .isInstanceOfSatisfying(FsException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EIO));
            assertThat(blob.readyChunks()).isZero();
            assertThat(file.writes).isZero();
            backend.failAll(false);
            assertThat(blob.fill(0, 4096)).isEqualTo(1);
        }
    }

    @Test
    void aBlobWithoutAChunkTableCannotBeOpened() throws Exception {
        FakeBlob b = blob(64 << 10, 10_000);
        try (CacheManager m = CacheFactory.builder(fscache().build(), new InMemoryBlobBackend().put(b)).build()) {
            assertThatThrownBy(() -> m.openExternal(infoWithoutTable(0, b), new SparseFile(b.uncompressedSize())))
                    .isInstanceOf(IOException.class).hasMessageContaining("chunk info table");
            assertThatThrownBy(() -> m.open(List.of(info(0, b)))).isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void twoFilesOfOneBlobAreIndependent() throws Exception {
        FakeBlob b = blob(64 << 10, 100_000);
        RecordingBlobBackend backend = new RecordingBlobBackend(new InMemoryBlobBackend().put(b));
        SparseFile f1 = new SparseFile(b.uncompressedSize());
        SparseFile f2 = new SparseFile(b.uncompressedSize());
        try (CacheManager m = CacheFactory.builder(fscache().build(), backend).build();
             ExternalBlobCache one = m.openExternal(info(0, b), f1);
             ExternalBlobCache two = m.openExternal(info(0, b), f2)) {
            one.fill(0, b.uncompressedSize());
            assertThat(two.readyChunks()).isZero();
            two.fill(0, b.uncompressedSize());
            assertThat(f2.bytes).isEqualTo(f1.bytes);
        }
    }

    @Test
    void aFailedWriteIsFetchedAgainAndTwoFailuresAreEio() throws Exception {
        FakeBlob b = blob(64 << 10, 100_000);
        RecordingBlobBackend backend = new RecordingBlobBackend(new InMemoryBlobBackend().put(b));
        AtomicInteger failures = new AtomicInteger(1);
        SparseFile file = new SparseFile(b.uncompressedSize()) {
            @Override
            void before(long offset) throws IOException {
                if (failures.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                    throw new IOException("No space left on device");
                }
            }
        };
        try (CacheManager m = CacheFactory.builder(fscache().amplifyIo(0).build(), backend).build();
             ExternalBlobCache blob = m.openExternal(info(0, b), file)) {
            // The first write fails: the chunk is fetched and written again, and only then is the fill done.
            assertThat(blob.fill(0, 4096)).isEqualTo(1);
            FakeBlob.Chunk c0 = b.chunks().get(0);
            assertThat(Arrays.copyOf(file.bytes, c0.uncompressedSize())).isEqualTo(b.chunkData(c0));
            assertThat(backend.requestCount()).isEqualTo(2);
            // Every write fails: EIO, never a fill that claims bytes the file does not hold.
            failures.set(Integer.MAX_VALUE);
            long at = b.chunks().get(1).uncompressedOffset();
            assertThatThrownBy(() -> blob.fill(at, 4096))
                    .isInstanceOfSatisfying(FsException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EIO));
            assertThat(blob.readyChunks()).isEqualTo(1);
        }
    }

    @Test
    void aFillThatWaitsForAnotherFetchReturnsOnlyOnceTheBytesAreStored() throws Exception {
        FakeBlob b = blob(64 << 10, 100_000);
        RecordingBlobBackend backend = new RecordingBlobBackend(new InMemoryBlobBackend().put(b));
        CountDownLatch writing = new CountDownLatch(1);
        CountDownLatch letWrite = new CountDownLatch(1);
        SparseFile file = new SparseFile(b.uncompressedSize()) {
            @Override
            void before(long offset) {
                writing.countDown();
                try {
                    letWrite.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        ExecutorService pool = Executors.newCachedThreadPool();
        try (CacheManager m = CacheFactory.builder(fscache().amplifyIo(0).build(), backend).build();
             ExternalBlobCache blob = m.openExternal(info(0, b), file)) {
            CompletableFuture<Integer> first = CompletableFuture.supplyAsync(() -> fill(blob), pool);
            assertThat(writing.await(30, TimeUnit.SECONDS)).isTrue();
            AtomicReference<Thread> second = new AtomicReference<>();
            CompletableFuture<Integer> waiting = CompletableFuture.supplyAsync(() -> {
                second.set(Thread.currentThread());
                return fill(blob);
            }, pool);
            // The second fill finds the chunk claimed, its data handed out but not yet stored: it
            // must wait for the store, not return early.
            while (second.get() == null || second.get().getState() != Thread.State.TIMED_WAITING) {
                assertThat(waiting).isNotDone();
                Thread.onSpinWait();
            }
            assertThat(waiting).isNotDone();
            letWrite.countDown();
            assertThat(first.get(30, TimeUnit.SECONDS)).isEqualTo(1);
            waiting.get(30, TimeUnit.SECONDS);
            FakeBlob.Chunk c0 = b.chunks().get(0);
            assertThat(Arrays.copyOf(file.bytes, c0.uncompressedSize())).isEqualTo(b.chunkData(c0));
            assertThat(backend.requestCount()).isEqualTo(1);
        } finally {
            letWrite.countDown();
            pool.shutdownNow();
        }
    }

    private static int fill(ExternalBlobCache blob) {
        try {
            return blob.fill(0, 4096);
        } catch (FsException e) {
            throw new IllegalStateException(e);
        }
    }
}
