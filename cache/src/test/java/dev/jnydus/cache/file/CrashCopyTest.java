package dev.jnydus.cache.file;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jnydus.backend.Sleeper;
import dev.jnydus.cache.device.BlobDevice;
import dev.jnydus.cache.device.BlobInfo;
import dev.jnydus.cache.device.BlobIoVec;
import dev.jnydus.cache.device.CacheOptions;
import dev.jnydus.cache.device.CacheType;
import dev.jnydus.cache.device.ChunkInfo;
import dev.jnydus.common.Compressor;
import dev.jnydus.common.Digester;
import dev.jnydus.common.Ticker;
import dev.jnydus.testkit.FakeBlob;
import dev.jnydus.testkit.FlakyBlobBackend;
import dev.jnydus.testkit.InMemoryBlobBackend;
import dev.jnydus.testkit.RecordingBlobBackend;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A crash, simulated the way it hurts most: the cache directory is copied while a writer is in the
 * middle of a chunk (the data file first, before that chunk's bytes are written; the chunk map
 * after every chunk was marked ready), then opened by a new daemon with validation off. Ready bits
 * in the copy cover bytes that are not there; not one wrong byte may come out.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class CrashCopyTest {
    @TempDir
    Path tmp;

    private static FakeBlob blob() {
        FakeBlob.Builder b = FakeBlob.builder().compressor(Compressor.LZ4_BLOCK).digester(Digester.SHA256)
                .chunkSize(64 << 10);
        for (int i = 0; i < 4; i++) {
            b.addFile(FakeBlob.data(i + 10, 300_000, i % 2 == 0));
        }
        return b.build();
    }

    private static BlobInfo info(FakeBlob b) {
        return BlobInfo.builder(b.blobId()).index(0).compressor(b.compressor()).digester(b.digester())
                .chunkSize(b.chunkSize()).chunkCount(b.chunks().size()).compressedSize(b.compressedSize())
                .uncompressedSize(b.uncompressedSize()).build();
    }

    private static byte[] readAll(BlobDevice dev, FakeBlob b, int file) throws Exception {
        BlobIoVec.Builder v = BlobIoVec.builder();
        int size = 0;
        for (FakeBlob.Chunk c : b.fileChunks(file)) {
            v.addWhole(ChunkInfo.of(0, c.index(), c.compressedOffset(), c.compressedSize(), c.uncompressedOffset(),
                    c.uncompressedSize(), c.compressed(), c.digest()));
            size += c.uncompressedSize();
        }
        ByteBuffer dst = ByteBuffer.allocate(size);
        dev.read(v.build(), dst);
        return dst.array();
    }

    private static byte[] fileBytes(FakeBlob b, int f) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (FakeBlob.Chunk c : b.fileChunks(f)) {
            out.writeBytes(b.chunkData(c));
        }
        return out.toByteArray();
    }

    private static FileCacheManager manager(Path dir, dev.jnydus.backend.BlobBackend backend) throws Exception {
        CacheOptions o = CacheOptions.builder(CacheType.BLOBCACHE).workDir(dir).digestValidate(false)
                .memoryCacheBytes(0).build();
        return FileCacheManager.create(o, backend, Ticker.system(), Sleeper.system(), Clock.systemUTC(), Thread::new);
    }

    private static void copy(Path from, Path to, String suffix) throws Exception {
        try (Stream<Path> s = Files.list(from)) {
            for (Path p : s.filter(p -> p.getFileName().toString().contains(suffix)).toList()) {
                Files.copy(p, to.resolve(p.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    @Test
    void copyTakenMidChunkNeverServesAWrongByte() throws Exception {
        FakeBlob b = blob();
        Path live = Files.createDirectories(tmp.resolve("live"));
        Path copy = Files.createDirectories(tmp.resolve("copy"));
        String dataFile = b.blobId() + ".blob.data";
        CountDownLatch atChunk = new CountDownLatch(1);
        CountDownLatch copied = new CountDownLatch(1);
        AtomicInteger stores = new AtomicInteger();
        try (FileCacheManager mgr = manager(live, new InMemoryBlobBackend().put(b));
             BlobDevice dev = mgr.open(List.of(info(b)))) {
            mgr.probe((step, chunks) -> {
                // The writer of the fifth chunk stops just before writing it, until the data file is copied.
                if (step == FetchProbe.Step.STORE && stores.incrementAndGet() == 5) {
                    atChunk.countDown();
                    try {
                        copied.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            });
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<Future<byte[]>> reads = new java.util.ArrayList<>();
                for (int f = 0; f < b.fileCount(); f++) {
                    int file = f;
                    reads.add(pool.submit(() -> readAll(dev, b, file)));
                }
                assertThat(atChunk.await(1, TimeUnit.MINUTES)).isTrue();
                Files.copy(live.resolve(dataFile), copy.resolve(dataFile));
                copied.countDown();
                for (int f = 0; f < b.fileCount(); f++) {
                    assertThat(reads.get(f).get(1, TimeUnit.MINUTES)).isEqualTo(fileBytes(b, f));
                }
            } finally {
                pool.shutdownNow();
            }
            assertThat(dev.isAllDataReady()).isTrue();
            // The map now marks every chunk ready; the copied data file lacks most of them.
            copy(live, copy, ".chunk_map");
            copy(live, copy, UnsyncedMarkers.INFIX);
        }
        assertThat(Files.readAllBytes(copy.resolve(dataFile))).isNotEqualTo(b.uncompressedImage());

        RecordingBlobBackend backend = new RecordingBlobBackend(new InMemoryBlobBackend().put(b));
        try (FileCacheManager mgr = manager(copy, backend); BlobDevice dev = mgr.open(List.of(info(b)))) {
            for (int f = 0; f < b.fileCount(); f++) {
                assertThat(readAll(dev, b, f)).as("file %d from the copied cache", f).isEqualTo(fileBytes(b, f));
            }
            assertThat(backend.requestCount()).as("chunks missing from the copy fetched again").isPositive();
        }
        // Every doubt resolved and the cache closed cleanly: the markers are gone, and what the
        // copy now holds is trusted without a backend.
        try (Stream<Path> s = Files.list(copy)) {
            assertThat(s.map(p -> p.getFileName().toString()).filter(n -> n.contains(UnsyncedMarkers.INFIX)))
                    .isEmpty();
        }
        FlakyBlobBackend down = new FlakyBlobBackend(new InMemoryBlobBackend().put(b)).failAll(true);
        try (FileCacheManager mgr = manager(copy, down); BlobDevice dev = mgr.open(List.of(info(b)))) {
            for (int f = 0; f < b.fileCount(); f++) {
                assertThat(readAll(dev, b, f)).isEqualTo(fileBytes(b, f));
            }
        }
    }

    @Test
    void aCleanCloseLeavesNoMarkerAndNothingToRecheck() throws Exception {
        FakeBlob b = blob();
        try (FileCacheManager mgr = manager(tmp, new InMemoryBlobBackend().put(b));
             BlobDevice dev = mgr.open(List.of(info(b)))) {
            for (int f = 0; f < b.fileCount(); f++) {
                readAll(dev, b, f);
            }
            try (Stream<Path> s = Files.list(tmp)) {
                assertThat(s.filter(p -> p.getFileName().toString().contains(UnsyncedMarkers.INFIX)).count())
                        .as("a writer's marker while it runs").isEqualTo(1);
            }
        }
        try (Stream<Path> s = Files.list(tmp)) {
            assertThat(s.filter(p -> p.getFileName().toString().contains(UnsyncedMarkers.INFIX))).isEmpty();
        }
        RecordingBlobBackend backend = new RecordingBlobBackend(new InMemoryBlobBackend().put(b));
        try (FileCacheManager mgr = manager(tmp, backend); BlobDevice dev = mgr.open(List.of(info(b)))) {
            for (int f = 0; f < b.fileCount(); f++) {
                assertThat(readAll(dev, b, f)).isEqualTo(fileBytes(b, f));
            }
        }
        assertThat(backend.requestCount()).isZero();
    }
}
