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
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CorruptionAndRepairTest {
    @TempDir
    Path work;

    private FakeBlob blob;
    private RecordingBlobBackend backend;

    @BeforeEach
    void setUp() {
        blob = FakeBlob.builder().compressor(Compressor.LZ4_BLOCK).digester(Digester.SHA256).chunkSize(64 << 10)
                .addFile(FakeBlob.data(3, 512 << 10, true)).build();
        backend = new RecordingBlobBackend(new InMemoryBlobBackend().put(blob));
    }

    private CacheOptions.Builder opts(boolean validate) {
        // amplify_io 0 keeps the request count per chunk easy to reason about.
        return CacheOptions.builder(CacheType.BLOBCACHE).workDir(work).digestValidate(validate).amplifyIo(0)
                .memoryCacheBytes(0);
    }

    private Path dataFile() {
        return work.resolve(blob.blobId() + ".blob.data");
    }

    private Path chunkMap() {
        return work.resolve(blob.blobId() + ".blob.data.chunk_map");
    }

    private void warmWholeFile() throws Exception {
        try (CacheManager m = CacheFactory.builder(opts(false).build(), backend).build();
             BlobDevice dev = m.open(List.of(info(0, blob)))) {
            read(dev, fileRange(0, blob, 0, 0, 512 << 10));
            assertThat(dev.isAllDataReady()).isTrue();
        }
        backend.reset();
    }

    private void flipByte(Path file, long offset) throws Exception {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(offset);
            int b = f.read();
            f.seek(offset);
            f.write(b ^ 0xff);
        }
    }

    @Test
    void flippedByteInTheCacheFileIsCaughtWithValidationAndTheChunkRefetched() throws Exception {
        warmWholeFile();
        FakeBlob.Chunk victim = blob.chunks().get(3);
        flipByte(dataFile(), victim.uncompressedOffset() + 1000);
        try (CacheManager m = CacheFactory.builder(opts(true).build(), backend).build();
             BlobDevice dev = m.open(List.of(info(0, blob)))) {
            assertThat(read(dev, fileRange(0, blob, 0, 0, 512 << 10))).isEqualTo(fileBytes(blob, 0));
            assertThat(backend.requestCount()).isEqualTo(1);
            assertThat(backend.requests().get(0).offset()).isEqualTo(victim.compressedOffset());
        }
        // The refetched chunk was written back: the file is whole again.
        assertThat(Files.readAllBytes(dataFile())).isEqualTo(blob.uncompressedImage());
    }

    @Test
    void withoutValidationTheFlippedByteWouldBeServed() throws Exception {
        // The control for the test above: the corruption is real and only validation catches it.
        warmWholeFile();
        FakeBlob.Chunk victim = blob.chunks().get(3);
        flipByte(dataFile(), victim.uncompressedOffset() + 1000);
        try (CacheManager m = CacheFactory.builder(opts(false).build(), backend).build();
             BlobDevice dev = m.open(List.of(info(0, blob)))) {
            assertThat(read(dev, fileRange(0, blob, 0, 0, 512 << 10))).isNotEqualTo(fileBytes(blob, 0));
            assertThat(backend.requestCount()).isZero();
        }
    }

    @Test
    void corruptBackendDataIsRefetchedOnceAndNeverServed() throws Exception {
        FakeBlob.Chunk c = blob.chunks().get(1);
        FlakyBlobBackend flaky = new FlakyBlobBackend(new InMemoryBlobBackend().put(blob))
                .corruptByte(blob.blobId(), c.compressedOffset() + 10, 1);
        RecordingBlobBackend rec = new RecordingBlobBackend(flaky);
        try (CacheManager m = CacheFactory.builder(opts(true).build(), rec).build();
             BlobDevice dev = m.open(List.of(info(0, blob)))) {
            assertThat(read(dev, fileRange(0, blob, 0, 64 << 10, 64 << 10))).isEqualTo(blob.chunkData(c));
            assertThat(rec.requestCount()).isEqualTo(2);
        }
        byte[] data = Files.readAllBytes(dataFile());
        assertThat(java.util.Arrays.copyOfRange(data, (int) c.uncompressedOffset(),
                (int) c.uncompressedOffset() + c.uncompressedSize())).isEqualTo(blob.chunkData(c));
    }

    @Test
    void persistentlyCorruptBackendDataIsEioAndNotCached() throws Exception {
        // Uncompressed storage so the flipped byte decodes (and only the digest catches it).
        FakeBlob raw = FakeBlob.builder().compressor(Compressor.NONE).digester(Digester.BLAKE3).chunkSize(64 << 10)
                .addFile(FakeBlob.data(4, 256 << 10, true)).build();
        FakeBlob.Chunk rc = raw.chunks().get(2);
        FlakyBlobBackend flaky = new FlakyBlobBackend(new InMemoryBlobBackend().put(raw))
                .corruptByte(raw.blobId(), rc.compressedOffset() + 5, Integer.MAX_VALUE);
        try (CacheManager m = CacheFactory.builder(opts(true).build(), flaky).build();
             BlobDevice dev = m.open(List.of(info(0, raw)))) {
            assertThatThrownBy(() -> read(dev, fileRange(0, raw, 0, 2L * (64 << 10), 4096)))
                    .isInstanceOf(FsException.class)
                    .hasMessageContaining("doesn't match")
                    .satisfies(e -> assertThat(((FsException) e).errno()).isEqualTo(Errno.EIO));
            assertThat(dev.isReady(TestImages.chunk(0, rc))).isFalse();
            assertThat(flaky.requestCount()).isEqualTo(2);
            // Other chunks are unaffected.
            assertThat(read(dev, fileRange(0, raw, 0, 0, 4096))).isEqualTo(java.util.Arrays.copyOf(fileBytes(raw, 0), 4096));
        }
    }

    @Test
    void chunkMapClaimingMoreThanATruncatedDataFileHoldsIsRepairedAtLoad() throws Exception {
        warmWholeFile();
        long half = blob.uncompressedSize() / 2;
        try (RandomAccessFile f = new RandomAccessFile(dataFile().toFile(), "rw")) {
            f.setLength(half);
        }
        long beyond = blob.chunks().stream().filter(c -> c.uncompressedOffset() + c.uncompressedSize() > half).count();
        try (CacheManager m = CacheFactory.builder(opts(false).build(), backend).build();
             BlobDevice dev = m.open(List.of(info(0, blob)))) {
            for (FakeBlob.Chunk c : blob.chunks()) {
                assertThat(dev.isReady(TestImages.chunk(0, c)))
                        .as("chunk %d", c.index()).isEqualTo(c.uncompressedOffset() + c.uncompressedSize() <= half);
            }
            assertThat(read(dev, fileRange(0, blob, 0, 0, 512 << 10))).isEqualTo(fileBytes(blob, 0));
            assertThat(backend.requestCount()).isEqualTo((int) beyond);
        }
        assertThat(Files.size(dataFile())).isEqualTo(blob.uncompressedSize());
    }

    @Test
    void chunkMapWithoutItsDataFileIsCleared() throws Exception {
        warmWholeFile();
        Files.delete(dataFile());
        try (CacheManager m = CacheFactory.builder(opts(false).build(), backend).build();
             BlobDevice dev = m.open(List.of(infoWithoutTable(0, blob)))) {
            assertThat(dev.isReady(TestImages.chunk(0, blob.chunks().get(0)))).isFalse();
            assertThat(read(dev, fileRange(0, blob, 0, 0, 512 << 10))).isEqualTo(fileBytes(blob, 0));
            assertThat(backend.requestCount()).isEqualTo(blob.chunks().size());
        }
        byte[] map = Files.readAllBytes(chunkMap());
        assertThat(ByteBuffer.wrap(map).order(ByteOrder.LITTLE_ENDIAN).getInt(0)).isEqualTo(0x424D4150);
    }

    @Test
    void chunkMapOfTheWrongSizeIsRebuiltAndTheDataRefetched() throws Exception {
        warmWholeFile();
        Files.write(chunkMap(), new byte[4096 + 1000]);
        try (CacheManager m = CacheFactory.builder(opts(false).build(), backend).build();
             BlobDevice dev = m.open(List.of(info(0, blob)))) {
            assertThat(read(dev, fileRange(0, blob, 0, 0, 512 << 10))).isEqualTo(fileBytes(blob, 0));
            assertThat(backend.requestCount()).isEqualTo(blob.chunks().size());
        }
        assertThat(Files.size(chunkMap())).isEqualTo(4096 + (blob.chunks().size() + 7) / 8);
    }

    @Test
    void dataFileLongerThanTheBlobIsRebuilt() throws Exception {
        warmWholeFile();
        try (RandomAccessFile f = new RandomAccessFile(dataFile().toFile(), "rw")) {
            f.setLength(blob.uncompressedSize() + 4096);
        }
        try (CacheManager m = CacheFactory.builder(opts(false).build(), backend).build();
             BlobDevice dev = m.open(List.of(info(0, blob)))) {
            assertThat(read(dev, fileRange(0, blob, 0, 0, 512 << 10))).isEqualTo(fileBytes(blob, 0));
            assertThat(backend.requestCount()).isEqualTo(blob.chunks().size());
        }
        assertThat(Files.size(dataFile())).isEqualTo(blob.uncompressedSize());
    }

    @Test
    void unknownChunkCountRecoversCachedDataByValidatingIt() throws Exception {
        // Legacy v5 without a chunk count: nothing persisted, so cached data counts once it validates.
        BlobInfo noCount = TestImages.infoBuilder(0, blob).chunkCount(0).build();
        try (CacheManager m = CacheFactory.builder(opts(false).build(), backend).build();
             BlobDevice dev = m.open(List.of(noCount))) {
            read(dev, fileRange(0, blob, 0, 0, 512 << 10));
        }
        assertThat(chunkMap()).doesNotExist();
        int first = backend.requestCount();
        flipByte(dataFile(), blob.chunks().get(5).uncompressedOffset());
        try (CacheManager m = CacheFactory.builder(opts(false).build(), backend).build();
             BlobDevice dev = m.open(List.of(noCount))) {
            assertThat(read(dev, fileRange(0, blob, 0, 0, 512 << 10))).isEqualTo(fileBytes(blob, 0));
        }
        assertThat(backend.requestCount() - first).isEqualTo(1);
    }
}
