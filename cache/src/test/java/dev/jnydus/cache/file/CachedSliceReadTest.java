package dev.jnydus.cache.file;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jnydus.backend.Sleeper;
import dev.jnydus.cache.device.BlobDevice;
import dev.jnydus.cache.device.BlobInfo;
import dev.jnydus.cache.device.BlobIoVec;
import dev.jnydus.cache.device.CacheOptions;
import dev.jnydus.cache.device.CacheType;
import dev.jnydus.cache.device.ChunkInfo;
import dev.jnydus.common.ChunkFlags;
import dev.jnydus.common.Compressor;
import dev.jnydus.common.Digester;
import dev.jnydus.common.Ticker;
import dev.jnydus.testkit.FakeBlob;
import dev.jnydus.testkit.InMemoryBlobBackend;
import dev.jnydus.testkit.RecordingBlobBackend;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reads of cached chunks read what is asked from the cache file, not the whole chunk: chunks that
 * carry a CRC32 (as every chunk the builder writes does) are checked when they come from the
 * backend and, with digest_validate on, once more on their first read from the file in a run.
 */
class CachedSliceReadTest {
    private static final int CHUNK = 64 << 10;
    private static final int SLICE = 4096;

    @TempDir
    Path work;

    private FakeBlob blob;
    private RecordingBlobBackend backend;

    @BeforeEach
    void setUp() {
        blob = FakeBlob.builder().compressor(Compressor.LZ4_BLOCK).digester(Digester.SHA256).chunkSize(CHUNK)
                .addFile(FakeBlob.data(7, 16 * CHUNK, true)).build();
        backend = new RecordingBlobBackend(new InMemoryBlobBackend().put(blob));
    }

    private FileCacheManager manager(boolean validate) throws Exception {
        return manager(work, validate);
    }

    private FileCacheManager manager(Path dir, boolean validate) throws Exception {
        CacheOptions o = CacheOptions.builder(CacheType.BLOBCACHE).workDir(dir).digestValidate(validate)
                .amplifyIo(0).build();
        return FileCacheManager.create(o, backend, Ticker.system(), Sleeper.system(), Clock.systemUTC(), Thread::new);
    }

    private BlobInfo info() {
        return BlobInfo.builder(blob.blobId()).index(0).compressor(blob.compressor()).digester(blob.digester())
                .chunkSize(blob.chunkSize()).chunkCount(blob.chunks().size()).compressedSize(blob.compressedSize())
                .uncompressedSize(blob.uncompressedSize()).build();
    }

    /** The chunk record as the builder writes it: compressed, with its CRC-32C. */
    private ChunkInfo chunk(FakeBlob.Chunk c) {
        CRC32C crc = new CRC32C();
        crc.update(blob.chunkData(c));
        int flags = (c.compressed() ? ChunkFlags.COMPRESSED : 0) | ChunkFlags.HAS_CRC32;
        return new ChunkInfo(0, c.index(), c.compressedOffset(), c.compressedSize(), c.uncompressedOffset(),
                c.uncompressedSize(), flags, c.digest(), (int) crc.getValue());
    }

    private void readWholeBlob(BlobDevice dev) throws Exception {
        BlobIoVec.Builder v = BlobIoVec.builder();
        for (FakeBlob.Chunk c : blob.chunks()) {
            v.addWhole(chunk(c));
        }
        ByteBuffer dst = ByteBuffer.allocate((int) blob.uncompressedSize());
        dev.read(v.build(), dst);
        assertThat(dst.array()).isEqualTo(blob.uncompressedImage());
    }

    /** Reads 4 KiB from the middle of every chunk, checking the bytes. */
    private void readSliceOfEveryChunk(BlobDevice dev) throws Exception {
        for (FakeBlob.Chunk c : blob.chunks()) {
            int off = CHUNK / 2 + 100;
            ByteBuffer dst = ByteBuffer.allocate(SLICE);
            dev.read(BlobIoVec.builder().add(chunk(c), off, SLICE).build(), dst);
            assertThat(dst.array()).isEqualTo(Arrays.copyOfRange(blob.chunkData(c), off, off + SLICE));
        }
    }

    private void fillCache() throws Exception {
        try (FileCacheManager m = manager(false); BlobDevice dev = m.open(List.of(info()))) {
            readWholeBlob(dev);
        }
        backend.reset();
    }

    @Test
    void aSliceOfACachedChunkReadsOnlyTheSlice() throws Exception {
        fillCache();
        try (FileCacheManager m = manager(false); BlobDevice dev = m.open(List.of(info()))) {
            readSliceOfEveryChunk(dev);
            assertThat(m.counters().cacheFileReadBytes.sum()).isEqualTo(16L * SLICE);
        }
        assertThat(backend.requestCount()).isZero();
    }

    @Test
    void withValidationEachCachedChunkIsCheckedWholeOnceThenReadInSlices() throws Exception {
        fillCache();
        try (FileCacheManager m = manager(true); BlobDevice dev = m.open(List.of(info()))) {
            readSliceOfEveryChunk(dev);
            assertThat(m.counters().cacheFileReadBytes.sum()).isEqualTo(16L * CHUNK);
            readSliceOfEveryChunk(dev);
            readSliceOfEveryChunk(dev);
            assertThat(m.counters().cacheFileReadBytes.sum()).isEqualTo(16L * CHUNK + 2 * 16L * SLICE);
        }
        assertThat(backend.requestCount()).isZero();
    }

    @Test
    void withValidationChunksFetchedInThisRunAreNotCheckedAgain() throws Exception {
        try (FileCacheManager m = manager(true); BlobDevice dev = m.open(List.of(info()))) {
            readWholeBlob(dev);
            long before = m.counters().cacheFileReadBytes.sum();
            readSliceOfEveryChunk(dev);
            assertThat(m.counters().cacheFileReadBytes.sum() - before).isEqualTo(16L * SLICE);
        }
    }

    @Test
    void withValidationABadByteAnywhereInTheChunkIsCaughtByAReadOfAnotherPartOfIt() throws Exception {
        fillCache();
        FakeBlob.Chunk victim = blob.chunks().get(3);
        Path data = work.resolve(blob.blobId() + ".blob.data");
        flipByte(work, victim.uncompressedOffset() + 10);
        try (FileCacheManager m = manager(true); BlobDevice dev = m.open(List.of(info()))) {
            readSliceOfEveryChunk(dev);
            assertThat(backend.requestCount()).isEqualTo(1);
            assertThat(backend.requests().get(0).offset()).isEqualTo(victim.compressedOffset());
        }
        assertThat(Files.readAllBytes(data)).isEqualTo(blob.uncompressedImage());
    }

    @Test
    void afterAnUncleanStopEachChunkIsCheckedWholeOnceThenReadInSlices() throws Exception {
        Path copy = Files.createDirectories(work.resolve("copy"));
        try (FileCacheManager m = manager(false); BlobDevice dev = m.open(List.of(info()))) {
            readWholeBlob(dev);
            // Copied while the writer still runs: to whoever opens the copy, an unclean stop.
            try (Stream<Path> s = Files.list(work)) {
                for (Path p : s.filter(p -> p.getFileName().toString().startsWith(blob.blobId())).toList()) {
                    Files.copy(p, copy.resolve(p.getFileName()));
                }
            }
        }
        FakeBlob.Chunk victim = blob.chunks().get(5);
        flipByte(copy, victim.uncompressedOffset() + CHUNK - 1);
        backend.reset();
        try (FileCacheManager m = manager(copy, false); BlobDevice dev = m.open(List.of(info()))) {
            readSliceOfEveryChunk(dev);
            // Every chunk read whole once to be checked; the bad one refetched, not read again.
            assertThat(m.counters().cacheFileReadBytes.sum()).isEqualTo(16L * CHUNK);
            assertThat(backend.requestCount()).isEqualTo(1);
            assertThat(backend.requests().get(0).offset()).isEqualTo(victim.compressedOffset());
            readSliceOfEveryChunk(dev);
            assertThat(m.counters().cacheFileReadBytes.sum()).isEqualTo(16L * CHUNK + 16L * SLICE);
        }
        assertThat(Files.readAllBytes(copy.resolve(blob.blobId() + ".blob.data"))).isEqualTo(blob.uncompressedImage());
    }

    private void flipByte(Path dir, long at) throws Exception {
        try (RandomAccessFile f = new RandomAccessFile(dir.resolve(blob.blobId() + ".blob.data").toFile(), "rw")) {
            f.seek(at);
            int b = f.read();
            f.seek(at);
            f.write(b ^ 0x5a);
        }
    }

    @Test
    void theMemoryCacheHoldsNothingWhenTheFileServesSlices() throws Exception {
        try (FileCacheManager m = manager(false); BlobDevice dev = m.open(List.of(info()))) {
            readWholeBlob(dev);
            readSliceOfEveryChunk(dev);
            assertThat(m.hotCache()).as("no memory cache to hold chunks: the file serves slices").isNull();
            List<ChunkInfo> all = new ArrayList<>();
            blob.chunks().forEach(c -> all.add(chunk(c)));
            assertThat(all).allMatch(dev::isReady);
        }
    }
}
