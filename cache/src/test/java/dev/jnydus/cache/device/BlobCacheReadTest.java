package dev.jnydus.cache.device;

import static dev.jnydus.cache.device.TestImages.fileBytes;
import static dev.jnydus.cache.device.TestImages.fileRange;
import static dev.jnydus.cache.device.TestImages.info;
import static dev.jnydus.cache.device.TestImages.infoWithoutTable;
import static dev.jnydus.cache.device.TestImages.read;
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
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class BlobCacheReadTest {
    @TempDir
    Path work;

    private static FakeBlob blob(Compressor c, int chunkSize, int... fileSizes) {
        FakeBlob.Builder b = FakeBlob.builder().compressor(c).digester(Digester.BLAKE3).chunkSize(chunkSize);
        long seed = 1;
        for (int size : fileSizes) {
            b.addFile(FakeBlob.data(seed++, size, true));
        }
        return b.build();
    }

    private CacheManager manager(RecordingBlobBackend backend, CacheOptions.Builder opts) throws Exception {
        return CacheFactory.builder(opts.build(), backend).build();
    }

    private CacheOptions.Builder blobcache() {
        return CacheOptions.builder(CacheType.BLOBCACHE).workDir(work);
    }

    @ParameterizedTest
    @EnumSource(Compressor.class)
    void readsEveryByteOfEveryFileCorrectly(Compressor compressor) throws Exception {
        FakeBlob b = blob(compressor, 64 << 10, 300_000, 1, 65536, 200_001);
        RecordingBlobBackend backend = new RecordingBlobBackend(new InMemoryBlobBackend().put(b));
        try (CacheManager m = manager(backend, blobcache()); BlobDevice dev = m.open(List.of(info(0, b)))) {
            for (int f = 0; f < b.fileCount(); f++) {
                byte[] want = fileBytes(b, f);
                assertThat(read(dev, fileRange(0, b, f, 0, want.length))).isEqualTo(want);
                // An unaligned piece across a chunk boundary.
                if (want.length > 70_000) {
                    assertThat(read(dev, fileRange(0, b, f, 65_000, 5_000)))
                            .isEqualTo(Arrays.copyOfRange(want, 65_000, 70_000));
                }
            }
        }
        assertThat(Files.exists(work.resolve(b.blobId() + ".blob.data"))).isTrue();
        assertThat(Files.size(work.resolve(b.blobId() + ".blob.data"))).isEqualTo(b.uncompressedSize());
        assertThat(Files.size(work.resolve(b.blobId() + ".blob.data.chunk_map"))).isEqualTo(4096 + (b.chunks().size() + 7) / 8);
    }

    @Test
    void cacheFileHoldsChunksAtTheirUncompressedOffsets() throws Exception {
        FakeBlob b = blob(Compressor.ZSTD, 64 << 10, 100_000, 50_000);
        RecordingBlobBackend backend = new RecordingBlobBackend(new InMemoryBlobBackend().put(b));
        try (CacheManager m = manager(backend, blobcache()); BlobDevice dev = m.open(List.of(info(0, b)))) {
            read(dev, fileRange(0, b, 0, 0, 100_000));
            read(dev, fileRange(0, b, 1, 0, 50_000));
            assertThat(dev.isAllDataReady()).isTrue();
        }
        assertThat(Files.readAllBytes(work.resolve(b.blobId() + ".blob.data"))).isEqualTo(b.uncompressedImage());
    }

    @Test
    void uncompressedDataFileIsTheBlobCacheFileOnlyWhenItHoldsUncompressedData() throws Exception {
        FakeBlob b = blob(Compressor.ZSTD, 64 << 10, 100_000);
        RecordingBlobBackend backend = new RecordingBlobBackend(new InMemoryBlobBackend().put(b));
        try (CacheManager m = manager(backend, blobcache()); BlobDevice dev = m.open(List.of(info(0, b)))) {
            assertThat(dev.uncompressedDataFile(0)).contains(work.resolve(b.blobId() + ".blob.data"));
            assertThat(dev.uncompressedDataFile(1)).isEmpty();
        }
        try (CacheManager m = manager(backend, blobcache().compressed(true));
             BlobDevice dev = m.open(List.of(info(0, b)))) {
            assertThat(dev.uncompressedDataFile(0)).as("a .blob.raw file holds compressed bytes").isEmpty();
        }
        try (CacheManager m = manager(backend, CacheOptions.builder(CacheType.DUMMYCACHE));
             BlobDevice dev = m.open(List.of(info(0, b)))) {
            assertThat(dev.uncompressedDataFile(0)).isEmpty();
        }
    }

    @Test
    void readingTwiceCostsOneFetch() throws Exception {
        FakeBlob b = blob(Compressor.LZ4_BLOCK, 64 << 10, 1 << 20);
        RecordingBlobBackend backend = new RecordingBlobBackend(new InMemoryBlobBackend().put(b));
        // No memory cache: the second read must come from the cache file.
        try (CacheManager m = manager(backend, blobcache().memoryCacheBytes(0));
             BlobDevice dev = m.open(List.of(info(0, b)))) {
            byte[] want = fileBytes(b, 0);
            assertThat(read(dev, fileRange(0, b, 0, 0, want.length))).isEqualTo(want);
            int requests = backend.requestCount();
            long bytes = backend.bytes();
            assertThat(requests).isPositive();
            assertThat(bytes).isEqualTo(b.compressedSize());
            assertThat(read(dev, fileRange(0, b, 0, 0, want.length))).isEqualTo(want);
            assertThat(backend.requestCount()).isEqualTo(requests);
            assertThat(backend.bytes()).isEqualTo(bytes);
            assertThat(m.metrics().partialHits()).isPositive();
        }
    }

    @Test
    void restartedDaemonReusesEveryFetchedChunk() throws Exception {
        FakeBlob b = blob(Compressor.ZSTD, 64 << 10, 700_000, 300_000);
        RecordingBlobBackend backend = new RecordingBlobBackend(new InMemoryBlobBackend().put(b));
        try (CacheManager m = manager(backend, blobcache().amplifyIo(0)); BlobDevice dev = m.open(List.of(info(0, b)))) {
            read(dev, fileRange(0, b, 0, 0, 700_000));
        }
        int first = backend.requestCount();
        assertThat(first).isPositive();
        // A new manager over the same work_dir: a restarted or taken-over daemon.
        try (CacheManager m = manager(backend, blobcache().amplifyIo(0)); BlobDevice dev = m.open(List.of(info(0, b)))) {
            assertThat(read(dev, fileRange(0, b, 0, 0, 700_000))).isEqualTo(fileBytes(b, 0));
            assertThat(backend.requestCount()).as("requests after restart").isEqualTo(first);
            // The other file was never read: it still costs fetches.
            assertThat(read(dev, fileRange(0, b, 1, 0, 300_000))).isEqualTo(fileBytes(b, 1));
            assertThat(backend.requestCount()).isGreaterThan(first);
        }
    }

    @Test
    void amplifyIoOneMebibyteReadsSixtyFourMebibytesInAtMostSixtyFourRequests() throws Exception {
        FakeBlob b = blob(Compressor.LZ4_BLOCK, 64 << 10, 64 << 20);
        RecordingBlobBackend backend = new RecordingBlobBackend(new InMemoryBlobBackend().put(b));
        try (CacheManager m = manager(backend, blobcache().amplifyIo(1 << 20));
             BlobDevice dev = m.open(List.of(info(0, b)))) {
            readInSteps(dev, b, 4096);
        }
        assertThat(backend.requestCount()).isLessThanOrEqualTo(64).isGreaterThan(1);
        assertThat(backend.requests()).allSatisfy(r -> assertThat(r.length()).isLessThanOrEqualTo(1 << 20));
        assertThat(backend.bytes()).isEqualTo(b.compressedSize());
    }

    @Test
    void amplifyIoZeroCostsOneRequestPerChunk() throws Exception {
        FakeBlob b = blob(Compressor.LZ4_BLOCK, 64 << 10, 8 << 20);
        RecordingBlobBackend backend = new RecordingBlobBackend(new InMemoryBlobBackend().put(b));
        try (CacheManager m = manager(backend, blobcache().amplifyIo(0));
             BlobDevice dev = m.open(List.of(info(0, b)))) {
            readInSteps(dev, b, 4096);
            // A read spanning two chunks still makes two requests.
        }
        assertThat(backend.requestCount()).isEqualTo(b.chunks().size());
        for (int i = 0; i < b.chunks().size(); i++) {
            FakeBlob.Chunk c = b.chunks().get(i);
            assertThat(backend.requests().get(i).offset()).isEqualTo(c.compressedOffset());
            assertThat(backend.requests().get(i).length()).isEqualTo(c.compressedSize());
        }
    }

    private static void readInSteps(BlobDevice dev, FakeBlob b, int step) throws Exception {
        byte[] want = fileBytes(b, 0);
        ByteBuffer got = ByteBuffer.allocate(step);
        for (int off = 0; off < want.length; off += step) {
            int len = Math.min(step, want.length - off);
            got.clear();
            dev.read(fileRange(0, b, 0, off, len), got);
            if (!Arrays.equals(got.array(), 0, len, want, off, off + len)) {
                throw new AssertionError("bytes differ at file offset " + off);
            }
        }
    }

    @Test
    void withoutAChunkTableOnlyTheChunksAskedForAreFetched() throws Exception {
        FakeBlob b = blob(Compressor.LZ4_BLOCK, 64 << 10, 1 << 20);
        RecordingBlobBackend backend = new RecordingBlobBackend(new InMemoryBlobBackend().put(b));
        try (CacheManager m = manager(backend, blobcache()); BlobDevice dev = m.open(List.of(infoWithoutTable(0, b)))) {
            read(dev, fileRange(0, b, 0, 0, 4096));
            assertThat(backend.requestCount()).isEqualTo(1);
            assertThat(backend.bytes()).isEqualTo(b.chunks().get(0).compressedSize());
            // Two adjacent chunks asked for together go in one request.
            read(dev, fileRange(0, b, 0, (2 << 16) - 10, 20));
            assertThat(backend.requestCount()).isEqualTo(2);
        }
    }

    @Test
    void concurrentReadersOfAMissingChunkCauseOneRequest() throws Exception {
        FakeBlob b = blob(Compressor.ZSTD, 64 << 10, 64 << 10);
        CountDownLatch gate = new CountDownLatch(1);
        FlakyBlobBackend flaky = new FlakyBlobBackend(new InMemoryBlobBackend().put(b)).holdRequestsUntil(gate);
        RecordingBlobBackend backend = new RecordingBlobBackend(flaky);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try (CacheManager m = manager(backend, blobcache()); BlobDevice dev = m.open(List.of(info(0, b)))) {
            List<Future<byte[]>> results = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                int off = i * 4096;
                results.add(pool.submit(() -> read(dev, fileRange(0, b, 0, off, 4096))));
            }
            // Let every reader reach the chunk before the one request completes.
            Thread.sleep(200);
            gate.countDown();
            byte[] want = fileBytes(b, 0);
            for (int i = 0; i < 8; i++) {
                assertThat(results.get(i).get(10, TimeUnit.SECONDS))
                        .isEqualTo(Arrays.copyOfRange(want, i * 4096, (i + 1) * 4096));
            }
            assertThat(backend.requestCount()).isEqualTo(1);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void slicesFromSeveralBlobsArriveInRequestOrder() throws Exception {
        FakeBlob a = FakeBlob.builder().blobId("blob-a").chunkSize(4096).addFile(FakeBlob.data(7, 10_000, true)).build();
        FakeBlob c = FakeBlob.builder().blobId("blob-c").chunkSize(4096).compressor(Compressor.GZIP)
                .addFile(FakeBlob.data(8, 10_000, false)).build();
        RecordingBlobBackend backend = new RecordingBlobBackend(new InMemoryBlobBackend().put(a).put(c));
        try (CacheManager m = manager(backend, blobcache()); BlobDevice dev = m.open(List.of(info(0, a), info(1, c)))) {
            BlobIoVec io = BlobIoVec.builder()
                    .add(TestImages.chunk(1, c.chunks().get(2)), 100, 200)
                    .add(TestImages.chunk(0, a.chunks().get(0)), 0, 4096)
                    .add(TestImages.chunk(1, c.chunks().get(0)), 4000, 96)
                    .build();
            byte[] got = read(dev, io);
            ByteBuffer want = ByteBuffer.allocate(200 + 4096 + 96);
            want.put(c.chunkData(c.chunks().get(2)), 100, 200);
            want.put(a.chunkData(a.chunks().get(0)), 0, 4096);
            want.put(c.chunkData(c.chunks().get(0)), 4000, 96);
            assertThat(got).isEqualTo(want.array());
        }
    }

    @Test
    void compressedModeStoresRawBlobBytesAndServesThemAfterRestart() throws Exception {
        FakeBlob b = blob(Compressor.ZSTD, 64 << 10, 500_000);
        RecordingBlobBackend backend = new RecordingBlobBackend(new InMemoryBlobBackend().put(b));
        try (CacheManager m = manager(backend, blobcache().compressed(true)); BlobDevice dev = m.open(List.of(info(0, b)))) {
            assertThat(read(dev, fileRange(0, b, 0, 0, 500_000))).isEqualTo(fileBytes(b, 0));
        }
        assertThat(Files.readAllBytes(work.resolve(b.blobId() + ".blob.raw"))).isEqualTo(b.content());
        assertThat(work.resolve(b.blobId() + ".blob.data.chunk_map")).exists();
        assertThat(work.resolve(b.blobId() + ".blob.data")).doesNotExist();
        int n = backend.requestCount();
        try (CacheManager m = manager(backend, blobcache().compressed(true).memoryCacheBytes(0));
             BlobDevice dev = m.open(List.of(info(0, b)))) {
            assertThat(read(dev, fileRange(0, b, 0, 123_456, 200_000)))
                    .isEqualTo(Arrays.copyOfRange(fileBytes(b, 0), 123_456, 323_456));
        }
        assertThat(backend.requestCount()).isEqualTo(n);
    }

    @Test
    void dummycacheStoresNothingAndFetchesEveryRead() throws Exception {
        FakeBlob b = blob(Compressor.LZ4_BLOCK, 64 << 10, 200_000);
        RecordingBlobBackend backend = new RecordingBlobBackend(new InMemoryBlobBackend().put(b));
        CacheOptions.Builder opts = CacheOptions.builder(CacheType.DUMMYCACHE).memoryCacheBytes(0)
                .prefetch(PrefetchOptions.enabled(2, 1 << 20, 0, true));
        try (CacheManager m = manager(backend, opts); BlobDevice dev = m.open(List.of(info(0, b)))) {
            assertThat(read(dev, fileRange(0, b, 0, 0, 200_000))).isEqualTo(fileBytes(b, 0));
            int n = backend.requestCount();
            assertThat(read(dev, fileRange(0, b, 0, 0, 200_000))).isEqualTo(fileBytes(b, 0));
            assertThat(backend.requestCount()).isEqualTo(2 * n);
            assertThat(dev.prefetchAll()).as("dummycache prefetch is a no-op").isZero();
            assertThat(dev.isAllDataReady()).isFalse();
        }
        try (var files = Files.list(work)) {
            assertThat(files).isEmpty();
        }
    }

    @Test
    void backendFailureIsEioAndTheChunkIsFetchedAgainLater() throws Exception {
        FakeBlob b = blob(Compressor.LZ4_BLOCK, 64 << 10, 100_000);
        FlakyBlobBackend flaky = new FlakyBlobBackend(new InMemoryBlobBackend().put(b)).failOnRequest(1);
        try (CacheManager m = CacheFactory.builder(blobcache().build(), flaky).build();
             BlobDevice dev = m.open(List.of(info(0, b)))) {
            assertThatThrownBy(() -> read(dev, fileRange(0, b, 0, 0, 100)))
                    .isInstanceOf(FsException.class)
                    .satisfies(e -> assertThat(((FsException) e).errno()).isEqualTo(Errno.EIO));
            assertThat(read(dev, fileRange(0, b, 0, 0, 100_000))).isEqualTo(fileBytes(b, 0));
        }
    }

    @Test
    void shortBackendReadsAreCompleted() throws Exception {
        FakeBlob b = blob(Compressor.ZSTD, 64 << 10, 300_000);
        FlakyBlobBackend flaky = new FlakyBlobBackend(new InMemoryBlobBackend().put(b)).shortReads(1000);
        try (CacheManager m = CacheFactory.builder(blobcache().build(), flaky).build();
             BlobDevice dev = m.open(List.of(info(0, b)))) {
            assertThat(read(dev, fileRange(0, b, 0, 0, 300_000))).isEqualTo(fileBytes(b, 0));
        }
    }

    @Test
    void closedDeviceRefusesReadsWithEbadf() throws Exception {
        FakeBlob b = blob(Compressor.NONE, 4096, 10_000);
        RecordingBlobBackend backend = new RecordingBlobBackend(new InMemoryBlobBackend().put(b));
        try (CacheManager m = manager(backend, blobcache())) {
            BlobDevice dev = m.open(List.of(info(0, b)));
            dev.close();
            dev.close();
            assertThatThrownBy(() -> read(dev, fileRange(0, b, 0, 0, 10)))
                    .isInstanceOf(FsException.class)
                    .satisfies(e -> assertThat(((FsException) e).errno()).isEqualTo(Errno.EBADF));
        }
    }

    @Test
    void fscacheOpensNoDevicesOfItsOwn() throws Exception {
        FakeBlob b = blob(Compressor.NONE, 4096, 100);
        CacheOptions o = CacheOptions.builder(CacheType.FSCACHE).workDir(work).build();
        try (CacheManager m = CacheFactory.builder(o, new InMemoryBlobBackend().put(b)).build()) {
            assertThatThrownBy(() -> m.open(List.of(info(0, b))))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("openExternal");
        }
    }

    @Test
    void optionsRejectNonsenseWithTheValue() {
        assertThatThrownBy(() -> CacheOptions.builder(CacheType.BLOBCACHE).build())
                .hasMessageContaining("work_dir");
        assertThatThrownBy(() -> CacheOptions.builder(CacheType.DUMMYCACHE).amplifyIo(-1).build())
                .hasMessageContaining("-1");
        assertThatThrownBy(() -> PrefetchOptions.enabled(0, 0, 0, false)).hasMessageContaining("threads_count 0");
        assertThat(CacheType.ofLabel("")).isEqualTo(CacheType.DUMMYCACHE);
        assertThat(CacheType.ofLabel("filecache")).isEqualTo(CacheType.FILECACHE);
        assertThat(PrefetchOptions.enabled(1, 0, 1000, false).effectiveBandwidthRate()).isEqualTo(16L << 20);
        assertThat(PrefetchOptions.enabled(1, 0, 0, false).effectiveMergingSize()).isEqualTo(128 << 10);
    }
}
