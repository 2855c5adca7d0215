package dev.jnydus.cache.device;

import static dev.jnydus.cache.device.TestImages.chunk;
import static dev.jnydus.cache.device.TestImages.chunks;
import static dev.jnydus.cache.device.TestImages.fileBytes;
import static dev.jnydus.cache.device.TestImages.fileRange;
import static dev.jnydus.cache.device.TestImages.info;
import static dev.jnydus.cache.device.TestImages.read;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jnydus.backend.RequestSource;
import dev.jnydus.common.Compressor;
import dev.jnydus.testkit.FakeBlob;
import dev.jnydus.testkit.FlakyBlobBackend;
import dev.jnydus.testkit.InMemoryBlobBackend;
import dev.jnydus.testkit.ManualTicker;
import dev.jnydus.testkit.RecordingBlobBackend;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PrefetchTest {
    private static final long MIB = 1 << 20;

    @TempDir
    Path work;

    private final List<Thread> threads = new CopyOnWriteArrayList<>();
    private final ThreadFactory tf = r -> {
        Thread t = new Thread(r, "test-prefetch-" + threads.size());
        t.setDaemon(true);
        threads.add(t);
        return t;
    };

    private CacheOptions.Builder opts(PrefetchOptions p) {
        return CacheOptions.builder(CacheType.BLOBCACHE).workDir(work).prefetch(p);
    }

    @Test
    void prefetchListIsFullyCachedWithinTheTimeTheBandwidthLimitAllows() throws Exception {
        // Incompressible data, so network bytes = file bytes. Three files; the list names two.
        FakeBlob b = FakeBlob.builder().compressor(Compressor.ZSTD).chunkSize(1 << 20)
                .addFile(FakeBlob.data(1, 24 << 20, false))
                .addFile(FakeBlob.data(2, 8 << 20, false))
                .addFile(FakeBlob.data(3, 16 << 20, false))
                .build();
        RecordingBlobBackend backend = new RecordingBlobBackend(new InMemoryBlobBackend().put(b));
        ManualTicker ticker = new ManualTicker();
        long rate = 16 * MIB;
        CacheOptions o = opts(PrefetchOptions.enabled(2, MIB, rate, false)).build();
        List<ChunkInfo> list = new ArrayList<>(chunks(0, b.fileChunks(0)));
        list.addAll(chunks(0, b.fileChunks(2)));
        long listed = list.stream().mapToLong(ChunkInfo::compressedSize).sum();
        try (CacheManager m = CacheFactory.builder(o, backend).ticker(ticker).sleeper(d -> ticker.sleep(d.toNanos())).threadFactory(tf).build();
             BlobDevice dev = m.open(List.of(info(0, b)))) {
            long t0 = ticker.nanos();
            assertThat(dev.prefetch(list)).isEqualTo(list.size());
            assertThat(dev.awaitPrefetch(Duration.ofSeconds(60))).isTrue();
            double seconds = (ticker.nanos() - t0) / 1e9;
            for (ChunkInfo c : list) {
                assertThat(dev.isReady(c)).as("chunk %d", c.index()).isTrue();
            }
            assertThat(backend.bytes()).isEqualTo(listed);
            // Prefetch requests say so: the backend gives them their own retry budget and, behind a
            // Dragonfly proxy, a lower priority than readers' requests.
            assertThat(backend.requests()).extracting(RecordingBlobBackend.Request::source)
                    .containsOnly(RequestSource.PREFETCH);
            // The bucket starts full (one second's worth); the rest flows at the rate.
            double expected = (double) (listed - rate) / rate;
            assertThat(seconds).isBetween(expected - 0.01, expected + 0.1);
            assertThat(seconds).isLessThanOrEqualTo((double) listed / rate);
            // The unlisted file was not fetched, and reading the listed ones costs nothing more.
            assertThat(dev.isReady(chunk(0, b.fileChunks(1).get(0)))).isFalse();
            int n = backend.requestCount();
            assertThat(read(dev, fileRange(0, b, 2, 0, 16 << 20))).isEqualTo(fileBytes(b, 2));
            assertThat(backend.requestCount()).isEqualTo(n);
            assertThat(read(dev, fileRange(0, b, 1, 0, 1 << 20))).isEqualTo(Arrays.copyOf(fileBytes(b, 1), 1 << 20));
            assertThat(backend.requests().subList(n, backend.requestCount())).isNotEmpty()
                    .extracting(RecordingBlobBackend.Request::source).containsOnly(RequestSource.ON_DEMAND);
            BlobcacheMetrics mt = m.metrics();
            assertThat(mt.prefetchDataAmount()).isEqualTo(listed);
            assertThat(mt.prefetchRequestsCount()).isEqualTo(list.size());
            assertThat(mt.prefetchUnmergedChunks()).isEqualTo(list.size());
            assertThat(mt.prefetchWorkers()).isEqualTo(2);
        }
    }

    @Test
    void onDemandReadDuringPrefetchTakesLessThanTwiceItsIdleLatency() throws Exception {
        FakeBlob b = FakeBlob.builder().compressor(Compressor.LZ4_BLOCK).chunkSize(64 << 10)
                .addFile(FakeBlob.data(5, 64 * (64 << 10), true)).build();
        Duration delay = Duration.ofMillis(150);
        FlakyBlobBackend backend = new FlakyBlobBackend(new InMemoryBlobBackend().put(b)).delayEachRequest(delay);
        CacheOptions o = opts(PrefetchOptions.enabled(2, 128 << 10, 0, false)).amplifyIo(0).memoryCacheBytes(0).build();
        List<FakeBlob.Chunk> all = b.chunks();
        try (CacheManager m = CacheFactory.builder(o, backend).threadFactory(tf).build();
             BlobDevice dev = m.open(List.of(info(0, b)))) {
            // Idle latency of a one-chunk read (after a first read that opens the blob).
            read(dev, BlobIoVec.of(ChunkSlice.whole(chunk(0, all.get(63)))));
            long idle = Long.MAX_VALUE;
            for (int i = 60; i < 63; i++) {
                long t0 = System.nanoTime();
                read(dev, BlobIoVec.of(new ChunkSlice(chunk(0, all.get(i)), 0, 4096)));
                idle = Math.min(idle, System.nanoTime() - t0);
            }
            // Prefetch chunks 0..47 in many requests; two workers, each busy for ~150 ms per request.
            int queued = dev.prefetch(chunks(0, all.subList(0, 48)));
            assertThat(queued).isGreaterThan(4);
            Thread.sleep(delay.toMillis() / 2);
            // A chunk no prefetch request covers, and one queued far behind the workers.
            long t0 = System.nanoTime();
            byte[] got = read(dev, BlobIoVec.of(new ChunkSlice(chunk(0, all.get(55)), 0, 4096)));
            long busy1 = System.nanoTime() - t0;
            t0 = System.nanoTime();
            byte[] got2 = read(dev, BlobIoVec.of(new ChunkSlice(chunk(0, all.get(47)), 0, 4096)));
            long busy2 = System.nanoTime() - t0;
            assertThat(got).isEqualTo(Arrays.copyOf(b.chunkData(all.get(55)), 4096));
            assertThat(got2).isEqualTo(Arrays.copyOf(b.chunkData(all.get(47)), 4096));
            assertThat(dev.awaitPrefetch(Duration.ofSeconds(30))).isTrue();
            System.out.printf("on-demand latency: idle %d ms, beside prefetch %d ms, queued chunk %d ms%n",
                    idle / 1_000_000, busy1 / 1_000_000, busy2 / 1_000_000);
            assertThat(m.metrics().prefetchRequestsCount()).isEqualTo(queued);
            assertThat(busy1).as("read beside prefetch: %d ms vs idle %d ms", busy1 / 1_000_000, idle / 1_000_000)
                    .isLessThan(2 * idle);
            assertThat(busy2).as("read of a queued chunk: %d ms vs idle %d ms", busy2 / 1_000_000, idle / 1_000_000)
                    .isLessThan(2 * idle);
        }
    }

    @Test
    void closingTheDeviceStopsItsPrefetchAndClosingTheManagerItsWorkers() throws Exception {
        FakeBlob b = FakeBlob.builder().compressor(Compressor.NONE).chunkSize(64 << 10)
                .addFile(FakeBlob.data(6, 100 * (64 << 10), false)).build();
        FlakyBlobBackend flaky = new FlakyBlobBackend(new InMemoryBlobBackend().put(b)).delayEachRequest(Duration.ofMillis(40));
        RecordingBlobBackend backend = new RecordingBlobBackend(flaky);
        CacheOptions o = opts(PrefetchOptions.enabled(2, 128 << 10, 0, false)).build();
        CacheManager m = CacheFactory.builder(o, backend).threadFactory(tf).build();
        try {
            BlobDevice dev = m.open(List.of(info(0, b)));
            int queued = dev.prefetchAll();
            assertThat(queued).isEqualTo(50);
            Thread.sleep(150);
            dev.close();
            int afterClose = backend.requestCount();
            Thread.sleep(300);
            assertThat(backend.requestCount()).isEqualTo(afterClose).isLessThan(queued);
            // Another device keeps working after the first one's prefetch stopped.
            try (BlobDevice dev2 = m.open(List.of(info(0, b)))) {
                assertThat(read(dev2, fileRange(0, b, 0, 0, 100 * (64 << 10)))).isEqualTo(fileBytes(b, 0));
            }
        } finally {
            m.close();
        }
        assertThat(threads).hasSize(2);
        for (Thread t : threads) {
            assertThat(t.isAlive()).as(t.getName()).isFalse();
        }
    }

    @Test
    void prefetchAllCachesEveryChunkAndTheBlobRangeOnlyItsChunks() throws Exception {
        FakeBlob b = FakeBlob.builder().compressor(Compressor.ZSTD).chunkSize(64 << 10)
                .addFile(FakeBlob.data(7, 40 * (64 << 10) + 123, true)).build();
        RecordingBlobBackend backend = new RecordingBlobBackend(new InMemoryBlobBackend().put(b));
        CacheOptions o = opts(PrefetchOptions.enabled(4, 256 << 10, 0, true)).build();
        try (CacheManager m = CacheFactory.builder(o, backend).threadFactory(tf).build();
             BlobDevice dev = m.open(List.of(info(0, b)))) {
            FakeBlob.Chunk c5 = b.chunks().get(5);
            FakeBlob.Chunk c7 = b.chunks().get(7);
            assertThat(dev.prefetchBlobRange(0, c5.compressedOffset() + 1, c7.compressedOffset() - c5.compressedOffset()))
                    .isEqualTo(1);
            assertThat(dev.awaitPrefetch(Duration.ofSeconds(30))).isTrue();
            for (FakeBlob.Chunk c : b.chunks()) {
                assertThat(dev.isReady(chunk(0, c))).as("chunk %d", c.index()).isEqualTo(c.index() >= 5 && c.index() <= 7);
            }
            assertThat(dev.prefetchAll()).isPositive();
            assertThat(dev.awaitPrefetch(Duration.ofSeconds(30))).isTrue();
            assertThat(dev.isAllDataReady()).isTrue();
            assertThat(backend.bytes()).isEqualTo(b.compressedSize());
            assertThat(backend.requests()).allSatisfy(r -> assertThat(r.length()).isLessThanOrEqualTo(256 << 10));
            assertThat(dev.prefetchAll()).as("nothing left to prefetch").isZero();
            assertThat(m.metrics().dataAllReady()).isTrue();
            assertThat(m.metrics().toMap()).containsKeys("prefetch_data_amount", "prefetch_requests_count",
                    "entries_count", "underlying_files", "data_all_ready");
            assertThat(m.metrics().underlyingFiles()).containsExactly(b.blobId() + ".blob.data");
        }
    }

    @Test
    void disabledPrefetchDropsRequests() throws Exception {
        FakeBlob b = FakeBlob.builder().chunkSize(4096).addFile(FakeBlob.data(8, 40_000, true)).build();
        RecordingBlobBackend backend = new RecordingBlobBackend(new InMemoryBlobBackend().put(b));
        try (CacheManager m = CacheFactory.builder(opts(PrefetchOptions.disabled()).build(), backend).build();
             BlobDevice dev = m.open(List.of(info(0, b)))) {
            assertThat(dev.prefetchAll()).isZero();
            assertThat(dev.prefetch(chunks(0, b.chunks()))).isZero();
            assertThat(backend.requestCount()).isZero();
        }
    }
}
