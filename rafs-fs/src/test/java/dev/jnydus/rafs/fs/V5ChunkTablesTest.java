package dev.jnydus.rafs.fs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jnydus.backend.localfs.LocalFsBackend;
import dev.jnydus.cache.device.BlobDevice;
import dev.jnydus.cache.device.BlobInfo;
import dev.jnydus.cache.device.CacheFactory;
import dev.jnydus.cache.device.CacheManager;
import dev.jnydus.cache.device.CacheOptions;
import dev.jnydus.cache.device.CacheType;
import dev.jnydus.cache.device.ChunkInfo;
import dev.jnydus.cache.device.ChunkTable;
import dev.jnydus.fuse.api.Context;
import dev.jnydus.rafs.metadata.FileExtent;
import dev.jnydus.rafs.metadata.RafsInode;
import dev.jnydus.rafs.metadata.RafsSuper;
import dev.jnydus.rafs.metadata.TreeWalker;
import dev.jnydus.testkit.Fixtures;
import dev.jnydus.testkit.ManualTicker;
import dev.jnydus.testkit.RecordingBlobBackend;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The chunk tables {@link CacheBlobs} learns from a RAFS v5 bootstrap, on the upstream fixture. */
class V5ChunkTablesTest {
    private static final Path FIXTURE = Fixtures.dir(Fixtures.V5_SHA256_NOCOMPRESS);
    private static final Context CTX = new Context(1, 0, 0, 1);

    @TempDir
    Path tmp;

    @Test
    void everyChunkOfEveryFileIsInTheTableAtItsIndex() throws Exception {
        try (RafsSuper sb = RafsSuper.open(FIXTURE.resolve("bootstrap"))) {
            CacheBlobs blobs = new CacheBlobs(sb);
            BlobInfo blob = blobs.blobs().get(0);
            ChunkTable table = blob.chunkTable();
            assertThat(table).as("a table for the v5 blob").isNotNull();
            assertThat(table.size()).isEqualTo(blob.chunkCount()).isPositive();
            // Found by walking the directory tree, independently of how the table was made.
            Map<Integer, ChunkInfo> seen = new HashMap<>();
            TreeWalker.walk(sb, entry -> {
                RafsInode inode = entry.inode();
                if (inode.isReg()) {
                    for (FileExtent e : inode.extents(0, inode.size())) {
                        if (e instanceof FileExtent.Chunk c) {
                            ChunkInfo want = blobs.chunk(c.chunk());
                            assertThat(table.get(want.index())).as("chunk %d", want.index()).isEqualTo(want);
                            seen.put(want.index(), want);
                        }
                    }
                }
                return true;
            });
            assertThat(seen).as("every index is some file's chunk").hasSize(table.size());
            long previousEnd = 0;
            for (int i = 0; i < table.size(); i++) {
                ChunkInfo c = table.get(i);
                assertThat(c.index()).isEqualTo(i);
                assertThat(c.compressedOffset()).as("chunk %d follows chunk %d in the blob", i, i - 1)
                        .isGreaterThanOrEqualTo(previousEnd);
                previousEnd = c.compressedOffset() + c.compressedSize();
            }
        }
    }

    @Test
    void aV5ReadIsAmplifiedIntoTheChunksThatFollowIt() throws Exception {
        try (RafsSuper sb = RafsSuper.open(FIXTURE.resolve("bootstrap"))) {
            RecordingBlobBackend rec = new RecordingBlobBackend(LocalFsBackend.ofDir(FIXTURE.resolve("blobs")));
            // The fixture's chunks are 1 MiB; a 4 MiB window takes the chunks after the first one.
            long requests = readFirstChunkOfTheBiggestFile(sb, rec, 4 << 20);
            assertThat(requests).isEqualTo(1);
            assertThat(rec.requests().get(0).length()).as("one request of more than a chunk, within amplify_io")
                    .isGreaterThan(sb.chunkSize()).isLessThanOrEqualTo(4 << 20);

            RecordingBlobBackend plain = new RecordingBlobBackend(LocalFsBackend.ofDir(FIXTURE.resolve("blobs")));
            readFirstChunkOfTheBiggestFile(sb, plain, 0);
            assertThat(plain.requests()).hasSize(1);
            assertThat(plain.requests().get(0).length()).as("amplify_io 0: the chunk alone")
                    .isLessThanOrEqualTo(sb.chunkSize());
        }
    }

    /** Reads 4 KiB of the largest file with a blob cache; returns the number of backend requests. */
    private long readFirstChunkOfTheBiggestFile(RafsSuper sb, RecordingBlobBackend backend, long amplifyIo)
            throws Exception {
        RafsInode[] max = new RafsInode[1];
        TreeWalker.walk(sb, entry -> {
            RafsInode i = entry.inode();
            if (i.isReg() && (max[0] == null || i.size() > max[0].size())) {
                max[0] = i;
            }
            return true;
        });
        RafsInode biggest = max[0];
        assertThat(biggest.size()).as("the fixture's largest file spans chunks").isGreaterThan(2L * sb.chunkSize());
        CacheOptions o = CacheOptions.builder(CacheType.BLOBCACHE).workDir(tmp.resolve("cache-" + amplifyIo))
                .amplifyIo(amplifyIo).memoryCacheBytes(0).build();
        try (CacheManager cache = CacheFactory.builder(o, backend).build();
                BlobDevice device = cache.open(new CacheBlobs(sb).blobs())) {
            RafsFileSystem fs = RafsFileSystem.builder(sb).device(device).ticker(new ManualTicker()).build();
            ByteBuffer dst = ByteBuffer.allocateDirect(4096);
            fs.read(CTX, biggest.ino(), 0, 0, dst);
            assertThat(dst.position()).isEqualTo(4096);
        }
        return backend.requests().size();
    }
}
