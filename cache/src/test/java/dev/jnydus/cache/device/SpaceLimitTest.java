package dev.jnydus.cache.device;

import static dev.jnydus.cache.device.TestImages.fileRange;
import static dev.jnydus.cache.device.TestImages.info;
import static dev.jnydus.cache.device.TestImages.read;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jnydus.common.Compressor;
import dev.jnydus.testkit.FakeBlob;
import dev.jnydus.testkit.InMemoryBlobBackend;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpaceLimitTest {
    @TempDir
    Path work;

    private static FakeBlob blob(String id, long seed, int size) {
        return FakeBlob.builder().blobId(id).compressor(Compressor.LZ4_BLOCK).chunkSize(64 << 10)
                .addFile(FakeBlob.data(seed, size, true)).build();
    }

    private CacheManager manager(InMemoryBlobBackend backend, long limit) throws Exception {
        CacheOptions o = CacheOptions.builder(CacheType.BLOBCACHE).workDir(work).spaceLimitBytes(limit).build();
        return CacheFactory.builder(o, backend).build();
    }

    private static void readAll(CacheManager m, FakeBlob b, boolean keepOpen, List<BlobDevice> open) throws Exception {
        BlobDevice dev = m.open(List.of(info(0, b)));
        read(dev, fileRange(0, b, 0, 0, b.fileChunks(0).stream().mapToInt(FakeBlob.Chunk::uncompressedSize).sum()));
        if (keepOpen) {
            open.add(dev);
        } else {
            dev.close();
        }
    }

    @Test
    void usageIsReportedPerBlobAndInTotal() throws Exception {
        FakeBlob a = blob("aaaa", 1, 300_000);
        FakeBlob b = blob("bbbb", 2, 100_000);
        InMemoryBlobBackend backend = new InMemoryBlobBackend().put(a).put(b);
        try (CacheManager m = manager(backend, 0)) {
            List<BlobDevice> open = new java.util.ArrayList<>();
            readAll(m, a, false, open);
            readAll(m, b, true, open);
            CacheUsage u = m.usage();
            assertThat(u.limitBytes()).isZero();
            assertThat(u.blobs()).containsExactly(
                    new CacheUsage.BlobUsage("aaaa", 300_000, false),
                    new CacheUsage.BlobUsage("bbbb", 100_000, true));
            assertThat(u.totalBytes()).isEqualTo(400_000);
            open.forEach(BlobDevice::close);
        }
        // A restarted manager estimates the same from the chunk maps.
        try (CacheManager m = manager(backend, 0)) {
            assertThat(m.usage().totalBytes()).isBetween(400_000L, 400_000L + 2 * (64 << 10));
        }
    }

    @Test
    void overTheLimitUnusedBlobsAreEvictedOldestFirstAndBlobsInUseNever() throws Exception {
        FakeBlob a = blob("aaaa", 1, 400_000);
        FakeBlob b = blob("bbbb", 2, 400_000);
        FakeBlob c = blob("cccc", 3, 400_000);
        InMemoryBlobBackend backend = new InMemoryBlobBackend().put(a).put(b).put(c);
        List<BlobDevice> open = new java.util.ArrayList<>();
        try (CacheManager m = manager(backend, 1_000_000)) {
            readAll(m, a, false, open);
            readAll(m, b, false, open);
            // Make "aaaa" the least recently used.
            for (String s : new String[] {".blob.data", ".blob.data.chunk_map"}) {
                Files.setLastModifiedTime(work.resolve("aaaa" + s), FileTime.fromMillis(1_000));
            }
            assertThat(m.usage().totalBytes()).isEqualTo(800_000);
            readAll(m, c, true, open);
            CacheUsage u = m.usage();
            assertThat(u.blobs()).extracting(CacheUsage.BlobUsage::blobId).containsExactlyInAnyOrder("bbbb", "cccc");
            assertThat(u.totalBytes()).isEqualTo(800_000).isLessThanOrEqualTo(u.limitBytes());
            assertThat(work.resolve("aaaa.blob.data")).doesNotExist();
            assertThat(work.resolve("aaaa.blob.data.chunk_map")).doesNotExist();
            assertThat(work.resolve("bbbb.blob.data")).exists();
            // Everything in use: nothing can go, usage stays over the limit.
            BlobDevice all = m.open(List.of(info(0, a), info(1, b)));
            read(all, fileRange(0, a, 0, 0, 400_000));
            assertThat(m.evictUnused()).isZero();
            assertThat(m.usage().totalBytes()).isEqualTo(1_200_000);
            all.close();
            open.forEach(BlobDevice::close);
            // Once released, the manager gets back under the limit.
            assertThat(m.usage().totalBytes()).isLessThanOrEqualTo(1_000_000);
        }
    }

    @Test
    void removeDeletesAnUnusedBlobButNotOneInUseNorTheBareBlobFile() throws Exception {
        FakeBlob a = blob("aaaa", 1, 100_000);
        InMemoryBlobBackend backend = new InMemoryBlobBackend().put(a);
        Files.write(work.resolve("aaaa"), new byte[] {1, 2, 3});
        try (CacheManager m = manager(backend, 0)) {
            BlobDevice dev = m.open(List.of(info(0, a)));
            read(dev, fileRange(0, a, 0, 0, 1000));
            assertThat(m.remove("aaaa")).isFalse();
            dev.close();
            assertThat(m.remove("aaaa")).isTrue();
            assertThat(work.resolve("aaaa.blob.data")).doesNotExist();
            assertThat(work.resolve("aaaa")).exists();
            assertThat(m.usage().blobs()).isEmpty();
        }
    }
}
