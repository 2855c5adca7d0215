package dev.jnydus.cache.file;

import static dev.jnydus.cache.file.FakeBlobInfo.chunk;
import static dev.jnydus.cache.file.FakeBlobInfo.info;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jnydus.backend.BlobBackend;
import dev.jnydus.backend.BlobReader;
import dev.jnydus.backend.RequestSource;
import dev.jnydus.backend.Sleeper;
import dev.jnydus.cache.device.BlobDevice;
import dev.jnydus.cache.device.BlobIoVec;
import dev.jnydus.cache.device.CacheOptions;
import dev.jnydus.cache.device.CacheType;
import dev.jnydus.cache.device.ChunkSlice;
import dev.jnydus.cache.device.PrefetchOptions;
import dev.jnydus.cache.device.PrefetchPriority;
import dev.jnydus.common.Compressor;
import dev.jnydus.common.Ticker;
import dev.jnydus.testkit.FakeBlob;
import dev.jnydus.testkit.InMemoryBlobBackend;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A reader's fetch is never queued behind prefetch: while it is on the wire no prefetch request
 * starts, and a large file's low-lane remainder waits for everything else. A backend fake records
 * the order in which requests start and end and holds chosen requests until released, so the
 * order is decided by events, not by timing.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class OnDemandBeforePrefetchTest {
    private static final int CHUNK = 64 << 10;

    @TempDir
    Path work;

    /** Requests as "start|end SOURCE chunk#"; requests of held chunks wait for their latch. */
    private static final class OrderedBackend implements BlobBackend {
        final List<String> events = new CopyOnWriteArrayList<>();
        final Map<Long, CountDownLatch> holds = new ConcurrentHashMap<>();
        final Map<Long, CountDownLatch> arrived = new ConcurrentHashMap<>();
        private final InMemoryBlobBackend inner;

        OrderedBackend(InMemoryBlobBackend inner) {
            this.inner = inner;
        }

        CountDownLatch hold(long chunkIndex) {
            arrived.put(chunkIndex, new CountDownLatch(1));
            return holds.computeIfAbsent(chunkIndex, k -> new CountDownLatch(1));
        }

        @Override
        public String type() {
            return "ordered";
        }

        @Override
        public BlobReader open(String blobId) throws IOException {
            BlobReader r = inner.open(blobId);
            return new BlobReader() {
                @Override
                public String blobId() {
                    return blobId;
                }

                @Override
                public long size() throws IOException {
                    return r.size();
                }

                @Override
                public int tryRead(ByteBuffer dst, long offset) throws IOException {
                    return tryRead(dst, offset, RequestSource.ON_DEMAND);
                }

                @Override
                public int tryRead(ByteBuffer dst, long offset, RequestSource source) throws IOException {
                    long chunk = offset / CHUNK;
                    events.add("start " + source + " " + chunk);
                    CountDownLatch a = arrived.get(chunk);
                    if (a != null) {
                        a.countDown();
                    }
                    CountDownLatch h = holds.get(chunk);
                    try {
                        if (h != null && !h.await(60, TimeUnit.SECONDS)) {
                            throw new IOException("request of chunk " + chunk + " was never released");
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IOException("interrupted", e);
                    }
                    int n = r.tryRead(dst, offset, source);
                    events.add("end " + source + " " + chunk);
                    return n;
                }

                @Override
                public void close() {
                    r.close();
                }
            };
        }
    }

    private FileCacheManager manager(OrderedBackend backend, int threads) throws IOException {
        CacheOptions o = CacheOptions.builder(CacheType.BLOBCACHE).workDir(work).amplifyIo(0).memoryCacheBytes(0)
                .prefetch(PrefetchOptions.enabled(threads, 128 << 10, 0, false)).build();
        return FileCacheManager.create(o, backend, Ticker.system(), Sleeper.system(), Clock.systemUTC(), r -> {
            Thread t = new Thread(r, "test-prefetch");
            t.setDaemon(true);
            return t;
        });
    }

    /** Uncompressed 64 KiB chunks, so chunk i starts at blob offset i * 64 KiB. */
    private static FakeBlob blob(int chunks) {
        return FakeBlob.builder().compressor(Compressor.NONE).chunkSize(CHUNK)
                .addFile(FakeBlob.data(11, chunks * CHUNK, false)).build();
    }

    @Test
    void anOnDemandReadIsServedBeforeQueuedPrefetch() throws Exception {
        FakeBlob b = blob(8);
        OrderedBackend backend = new OrderedBackend(new InMemoryBlobBackend().put(b));
        CountDownLatch releasePrefetch0 = backend.hold(0);
        CountDownLatch releaseRead6 = backend.hold(6);
        ExecutorService readers = Executors.newSingleThreadExecutor();
        try (FileCacheManager mgr = manager(backend, 1); BlobDevice dev = mgr.open(List.of(info(b)))) {
            CountDownLatch paused = new CountDownLatch(1);
            mgr.scheduler().pausedHook(paused::countDown);
            List<FakeBlob.Chunk> cs = b.chunks();
            // Three prefetch requests (chunks 0, 2, 4: not adjacent, so not merged); the first is held.
            assertThat(dev.prefetch(List.of(chunk(cs.get(0)), chunk(cs.get(2)), chunk(cs.get(4))))).isEqualTo(3);
            assertThat(backend.arrived.get(0L).await(30, TimeUnit.SECONDS)).isTrue();
            // A reader misses chunk 6: its request goes out at once, beside the prefetch on the wire.
            Future<byte[]> read = readers.submit(() -> {
                ByteBuffer dst = ByteBuffer.allocate(4096);
                dev.read(BlobIoVec.of(new ChunkSlice(chunk(cs.get(6)), 0, 4096)), dst);
                return dst.array();
            });
            assertThat(backend.arrived.get(6L).await(30, TimeUnit.SECONDS)).isTrue();
            // The prefetch request on the wire ends; the worker has chunks 2 and 4 queued, and waits.
            releasePrefetch0.countDown();
            assertThat(paused.await(30, TimeUnit.SECONDS)).isTrue();
            releaseRead6.countDown();
            assertThat(read.get(30, TimeUnit.SECONDS)).isEqualTo(Arrays.copyOf(b.chunkData(cs.get(6)), 4096));
            assertThat(dev.awaitPrefetch(Duration.ofSeconds(30))).isTrue();
            assertThat(backend.events).containsExactly(
                    "start PREFETCH 0", "start ON_DEMAND 6", "end PREFETCH 0", "end ON_DEMAND 6",
                    "start PREFETCH 2", "end PREFETCH 2", "start PREFETCH 4", "end PREFETCH 4");
        } finally {
            readers.shutdownNow();
        }
    }

    @Test
    void lowPriorityPrefetchWaitsForTheNormalLane() throws Exception {
        FakeBlob b = blob(12);
        OrderedBackend backend = new OrderedBackend(new InMemoryBlobBackend().put(b));
        CountDownLatch releaseRead11 = backend.hold(11);
        ExecutorService readers = Executors.newSingleThreadExecutor();
        // One worker, so that the order requests start in is the order they were taken in (with
        // more, a worker that took a request first may reach the backend second); the one-at-a-time
        // rule of the low lane with several workers is PrefetchSchedulerTest's.
        try (FileCacheManager mgr = manager(backend, 1); BlobDevice dev = mgr.open(List.of(info(b)))) {
            CountDownLatch paused = new CountDownLatch(1);
            mgr.scheduler().pausedHook(paused::countDown);
            List<FakeBlob.Chunk> cs = b.chunks();
            // A read on the wire holds every worker back while both lanes fill.
            Future<?> read = readers.submit(() -> {
                dev.read(BlobIoVec.of(ChunkSlice.whole(chunk(cs.get(11)))), ByteBuffer.allocate(CHUNK));
                return null;
            });
            assertThat(backend.arrived.get(11L).await(30, TimeUnit.SECONDS)).isTrue();
            // The low lane gets its chunks first, the normal one after: queue order does not decide.
            assertThat(dev.prefetch(List.of(chunk(cs.get(0)), chunk(cs.get(2)), chunk(cs.get(4))), PrefetchPriority.LOW))
                    .isEqualTo(3);
            assertThat(dev.prefetch(List.of(chunk(cs.get(6)), chunk(cs.get(8))))).isEqualTo(2);
            assertThat(paused.await(30, TimeUnit.SECONDS)).isTrue();
            releaseRead11.countDown();
            read.get(30, TimeUnit.SECONDS);
            assertThat(dev.awaitPrefetch(Duration.ofSeconds(30))).isTrue();
            assertThat(backend.events).containsExactly("start ON_DEMAND 11", "end ON_DEMAND 11",
                    "start PREFETCH 6", "end PREFETCH 6", "start PREFETCH 8", "end PREFETCH 8",
                    "start PREFETCH 0", "end PREFETCH 0", "start PREFETCH 2", "end PREFETCH 2",
                    "start PREFETCH 4", "end PREFETCH 4");
            for (int i : new int[] {0, 2, 4, 6, 8, 11}) {
                assertThat(dev.isReady(chunk(cs.get(i)))).as("chunk %d", i).isTrue();
            }
        } finally {
            readers.shutdownNow();
        }
    }
}
