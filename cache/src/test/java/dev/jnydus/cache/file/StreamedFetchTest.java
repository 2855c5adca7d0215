package dev.jnydus.cache.file;

import static dev.jnydus.cache.file.FakeBlobInfo.chunk;
import static dev.jnydus.cache.file.FakeBlobInfo.info;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jnydus.backend.BlobBackend;
import dev.jnydus.backend.BlobReader;
import dev.jnydus.backend.RangeProgress;
import dev.jnydus.backend.RequestSource;
import dev.jnydus.backend.Sleeper;
import dev.jnydus.cache.device.BlobDevice;
import dev.jnydus.cache.device.BlobIoVec;
import dev.jnydus.cache.device.CacheOptions;
import dev.jnydus.cache.device.CacheType;
import dev.jnydus.cache.device.ChunkSlice;
import dev.jnydus.cache.device.PrefetchOptions;
import dev.jnydus.common.Compressor;
import dev.jnydus.common.Ticker;
import dev.jnydus.testkit.FakeBlob;
import dev.jnydus.testkit.ForwardingBlobReader;
import dev.jnydus.testkit.InMemoryBlobBackend;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A reader's chunk is handed out as soon as its bytes have arrived, not when the amplified rest
 * of the request has: a backend fake that tells its progress holds every request's bytes after
 * the first chunk until the test releases them, so a reader that returns meanwhile proves it.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class StreamedFetchTest {
    private static final int CHUNK = 64 << 10;

    @TempDir
    Path work;

    private final ExecutorService readers = Executors.newCachedThreadPool();

    @AfterEach
    void stop() {
        readers.shutdownNow();
    }

    /** Tells the first chunk's bytes of every request, then holds the rest until released. */
    private static final class HeldTailBackend implements BlobBackend {
        final List<String> requests = new CopyOnWriteArrayList<>();
        final Map<Long, CountDownLatch> started = new ConcurrentHashMap<>();
        final CountDownLatch releaseTail = new CountDownLatch(1);
        final AtomicBoolean failNextTail = new AtomicBoolean();
        private final InMemoryBlobBackend store;

        HeldTailBackend(InMemoryBlobBackend store) {
            this.store = store;
        }

        @Override
        public String type() {
            return "held-tail";
        }

        @Override
        public boolean reportsProgress() {
            return true;
        }

        @Override
        public BlobReader open(String blobId) throws IOException {
            return new ForwardingBlobReader(store.open(blobId)) {
                @Override
                public int tryRead(ByteBuffer dst, long offset) throws IOException {
                    return tryRead(dst, offset, RequestSource.ON_DEMAND, RangeProgress.NONE);
                }

                @Override
                public int tryRead(ByteBuffer dst, long offset, RequestSource source, RangeProgress progress)
                        throws IOException {
                    requests.add(offset + "+" + dst.remaining());
                    started.computeIfAbsent(offset, k -> new CountDownLatch(1)).countDown();
                    byte[] body = new byte[dst.remaining()];
                    inner.readFully(ByteBuffer.wrap(body), offset);
                    if (body.length > CHUNK) {
                        progress.arrived(offset, body, CHUNK);
                        try {
                            if (!releaseTail.await(60, TimeUnit.SECONDS)) {
                                throw new IOException("the tail was never released");
                            }
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            throw new IOException("interrupted", e);
                        }
                        if (failNextTail.getAndSet(false)) {
                            throw new IOException("connection reset in the middle of the body");
                        }
                    }
                    progress.arrived(offset, body, body.length);
                    dst.put(body);
                    return body.length;
                }
            };
        }
    }

    /** Uncompressed chunks: chunk i is blob bytes [i * CHUNK, (i + 1) * CHUNK). */
    private static FakeBlob blob(int chunks) {
        return FakeBlob.builder().compressor(Compressor.NONE).chunkSize(CHUNK)
                .addFile(FakeBlob.data(5, chunks * CHUNK, false)).build();
    }

    private FileCacheManager manager(BlobBackend backend) throws IOException {
        return manager(backend, 1 << 20, PrefetchOptions.disabled());
    }

    private FileCacheManager manager(BlobBackend backend, long amplify, PrefetchOptions prefetch) throws IOException {
        CacheOptions o = CacheOptions.builder(CacheType.BLOBCACHE).workDir(work).amplifyIo(amplify).memoryCacheBytes(0)
                .prefetch(prefetch).build();
        return FileCacheManager.create(o, backend, Ticker.system(), Sleeper.system(), Clock.systemUTC(), Thread::new);
    }

    private Future<byte[]> read(BlobDevice dev, FakeBlob.Chunk c) {
        return readers.submit(() -> {
            ByteBuffer dst = ByteBuffer.allocate(c.uncompressedSize());
            dev.read(BlobIoVec.of(ChunkSlice.whole(chunk(c))), dst);
            return dst.array();
        });
    }

    @Test
    void aReaderGetsItsChunkWhileTheAmplifiedRestIsStillOnTheWire() throws Exception {
        FakeBlob b = blob(4);
        HeldTailBackend backend = new HeldTailBackend(new InMemoryBlobBackend().put(b));
        try (FileCacheManager mgr = manager(backend); BlobDevice dev = mgr.open(List.of(info(b)))) {
            List<FakeBlob.Chunk> cs = b.chunks();
            // One request for the whole blob (amplified), its tail held: the reader returns anyway.
            assertThat(read(dev, cs.get(0)).get(30, TimeUnit.SECONDS)).isEqualTo(b.chunkData(cs.get(0)));
            assertThat(backend.requests).containsExactly("0+" + 4 * CHUNK);
            // A reader of a chunk of the tail waits for that request rather than sending its own.
            Future<byte[]> tail = read(dev, cs.get(3));
            backend.releaseTail.countDown();
            assertThat(tail.get(30, TimeUnit.SECONDS)).isEqualTo(b.chunkData(cs.get(3)));
            for (FakeBlob.Chunk c : cs) {
                assertThat(read(dev, c).get(30, TimeUnit.SECONDS)).isEqualTo(b.chunkData(c));
            }
            assertThat(backend.requests).hasSize(1);
        }
    }

    @Test
    void aRequestThatBreaksAfterTheFirstChunkFailsOnlyTheRest() throws Exception {
        FakeBlob b = blob(4);
        HeldTailBackend backend = new HeldTailBackend(new InMemoryBlobBackend().put(b));
        backend.failNextTail.set(true);
        try (FileCacheManager mgr = manager(backend); BlobDevice dev = mgr.open(List.of(info(b)))) {
            List<FakeBlob.Chunk> cs = b.chunks();
            assertThat(read(dev, cs.get(0)).get(30, TimeUnit.SECONDS)).isEqualTo(b.chunkData(cs.get(0)));
            backend.releaseTail.countDown();
            // The broken request's other chunks are fetched again when read; the first stays cached.
            for (FakeBlob.Chunk c : cs) {
                assertThat(read(dev, c).get(30, TimeUnit.SECONDS)).isEqualTo(b.chunkData(c));
            }
            assertThat(backend.requests).hasSize(2);
            assertThat(backend.requests.get(1)).isEqualTo(CHUNK + "+" + 3 * CHUNK);
        }
    }

    @Test
    void prefetchGoesOnOnceTheReaderHasItsChunkNotWhenTheAmplifiedRestArrives() throws Exception {
        FakeBlob b = blob(8);
        HeldTailBackend backend = new HeldTailBackend(new InMemoryBlobBackend().put(b));
        backend.started.put(7L * CHUNK, new CountDownLatch(1));
        try (FileCacheManager mgr = manager(backend, 4 * CHUNK, PrefetchOptions.enabled(1, CHUNK, 0, false));
             BlobDevice dev = mgr.open(List.of(info(b)))) {
            List<FakeBlob.Chunk> cs = b.chunks();
            // The reader's request covers chunks 0-3 (amplified); its tail stays held.
            assertThat(read(dev, cs.get(0)).get(30, TimeUnit.SECONDS)).isEqualTo(b.chunkData(cs.get(0)));
            assertThat(dev.prefetch(List.of(chunk(cs.get(7))))).isEqualTo(1);
            // The prefetch request goes out while the reader's request is still on the wire.
            assertThat(backend.started.get(7L * CHUNK).await(30, TimeUnit.SECONDS)).isTrue();
            backend.releaseTail.countDown();
            assertThat(dev.awaitPrefetch(Duration.ofSeconds(30))).isTrue();
            for (FakeBlob.Chunk c : cs) {
                assertThat(read(dev, c).get(30, TimeUnit.SECONDS)).isEqualTo(b.chunkData(c));
            }
            // Chunks 4-6 were neither asked for nor amplified into a request until now.
            assertThat(backend.requests).hasSize(3);
        }
    }
}
