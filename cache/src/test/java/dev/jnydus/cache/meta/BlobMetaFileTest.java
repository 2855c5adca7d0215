package dev.jnydus.cache.meta;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jnydus.backend.codec.ChunkCodec;
import dev.jnydus.cache.device.BlobDevice;
import dev.jnydus.cache.device.BlobInfo;
import dev.jnydus.cache.device.BlobIoVec;
import dev.jnydus.cache.device.CacheFactory;
import dev.jnydus.cache.device.CacheManager;
import dev.jnydus.cache.device.CacheOptions;
import dev.jnydus.cache.device.CacheType;
import dev.jnydus.cache.device.ChunkInfo;
import dev.jnydus.cache.device.ChunkTable;
import dev.jnydus.common.BlobFeatures;
import dev.jnydus.common.Compressor;
import dev.jnydus.testkit.FakeBlob;
import dev.jnydus.testkit.InMemoryBlobBackend;
import dev.jnydus.testkit.RecordingBlobBackend;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A RAFS v6 style blob without ToC: chunk data, compressed ci array, ci header (rafs-format 6.5). */
class BlobMetaFileTest {
    @TempDir
    Path work;

    private FakeBlob data;
    private byte[] blobBytes;
    private BlobInfo info;
    private List<ChunkInfo> expected;

    @BeforeEach
    void build() {
        data = FakeBlob.builder().blobId("v6blob").compressor(Compressor.ZSTD).chunkSize(64 << 10)
                .addFile(FakeBlob.data(11, 2 << 20, true)).addFile(FakeBlob.data(12, 70_000, true)).build();
        expected = new ArrayList<>();
        ByteBuffer ci = ByteBuffer.allocate(16 * data.chunks().size());
        for (FakeBlob.Chunk c : data.chunks()) {
            ChunkInfo ch = ChunkInfo.of(0, c.index(), c.compressedOffset(), c.compressedSize(), c.uncompressedOffset(),
                    c.uncompressedSize(), c.compressed(), null);
            expected.add(ch);
            BlobMetaFile.encodeV1(ch, ci);
        }
        byte[] ciBytes = ci.array();
        byte[] ciComp = ChunkCodec.compress(Compressor.ZSTD, ciBytes, ciBytes.length);
        long ciOffset = data.compressedSize();
        info = BlobInfo.builder("v6blob").compressor(Compressor.ZSTD).chunkSize(64 << 10).chunkCount(data.chunks().size())
                .compressedSize(data.compressedSize()).uncompressedSize(data.uncompressedSize())
                .features(BlobFeatures.ALIGNED)
                .meta(new BlobInfo.BlobMetaLocation(ciOffset, ciComp.length, ciBytes.length, Compressor.ZSTD))
                .build();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(data.content());
        out.writeBytes(ciComp);
        out.writeBytes(BlobMetaFile.header(info));
        blobBytes = out.toByteArray();
    }

    @Test
    void fetchesDecodesAndCachesTheChunkInfoTable() throws Exception {
        RecordingBlobBackend backend = new RecordingBlobBackend(new InMemoryBlobBackend().put("v6blob", blobBytes));
        BlobMetaFile f = BlobMetaFile.load(work, info, backend);
        assertThat(f.fetched()).isTrue();
        assertThat(tableAsList(f.table())).isEqualTo(expected);
        Path p = work.resolve("v6blob.blob.meta");
        long aligned = (16L * data.chunks().size() + 4095) & ~4095L;
        assertThat(Files.size(p)).isEqualTo(aligned + 4096);
        byte[] file = Files.readAllBytes(p);
        assertThat(ByteBuffer.wrap(file).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt((int) aligned)).isEqualTo(0xB10BB10B);
        assertThat(backend.requestCount()).isEqualTo(1);
        // An existing valid file is used as it is.
        BlobMetaFile again = BlobMetaFile.load(work, info, backend);
        assertThat(again.fetched()).isFalse();
        assertThat(tableAsList(again.table())).isEqualTo(expected);
        assertThat(backend.requestCount()).isEqualTo(1);
    }

    @Test
    void aFileWithAForeignHeaderIsReplaced() throws Exception {
        RecordingBlobBackend backend = new RecordingBlobBackend(new InMemoryBlobBackend().put("v6blob", blobBytes));
        long aligned = (16L * data.chunks().size() + 4095) & ~4095L;
        Files.write(work.resolve("v6blob.blob.meta"), new byte[(int) aligned + 4096]);
        assertThat(BlobMetaFile.load(work, info, backend).fetched()).isTrue();
    }

    @Test
    void aHeaderThatDoesNotMatchTheBlobTableIsRefused() {
        blobBytes[blobBytes.length - 4096 + 12] ^= 1;
        InMemoryBlobBackend backend = new InMemoryBlobBackend().put("v6blob", blobBytes);
        assertThatThrownBy(() -> BlobMetaFile.load(work, info, backend)).hasMessageContaining("entries");
    }

    @Test
    void theDeviceUsesTheTableToAmplifyReadsAndPrefetchAll() throws Exception {
        RecordingBlobBackend backend = new RecordingBlobBackend(new InMemoryBlobBackend().put("v6blob", blobBytes));
        CacheOptions o = CacheOptions.builder(CacheType.BLOBCACHE).workDir(work).amplifyIo(1 << 20).build();
        try (CacheManager m = CacheFactory.builder(o, backend).build(); BlobDevice dev = m.open(List.of(info))) {
            assertThat(dev.blobs().get(0).chunkTable()).isNotNull();
            ChunkInfo first = expected.get(0);
            ByteBuffer dst = ByteBuffer.allocate(4096);
            dev.read(BlobIoVec.builder().add(first, 0, 4096).build(), dst);
            assertThat(dst.array()).isEqualTo(java.util.Arrays.copyOf(data.chunkData(data.chunks().get(0)), 4096));
            // One request for the table, one for the amplified read covering more than one chunk.
            assertThat(backend.requestCount()).isEqualTo(2);
            assertThat(backend.requests().get(1).length()).isGreaterThan(first.compressedSize());
            assertThat(dev.isReady(expected.get(1))).isTrue();
        }
    }

    private static List<ChunkInfo> tableAsList(ChunkTable t) {
        List<ChunkInfo> l = new ArrayList<>();
        for (int i = 0; i < t.size(); i++) {
            l.add(t.get(i));
        }
        return l;
    }
}
