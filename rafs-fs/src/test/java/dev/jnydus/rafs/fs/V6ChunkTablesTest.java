package dev.jnydus.rafs.fs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jnydus.backend.localfs.LocalFsBackend;
import dev.jnydus.builder.BuildOptions;
import dev.jnydus.builder.BuildOutputs;
import dev.jnydus.builder.BuildResult;
import dev.jnydus.builder.ImageBuilder;
import dev.jnydus.cache.device.BlobInfo;
import dev.jnydus.cache.device.ChunkInfo;
import dev.jnydus.cache.device.ChunkTable;
import dev.jnydus.cache.meta.BlobMetaFile;
import dev.jnydus.common.Compressor;
import dev.jnydus.rafs.metadata.RafsSuper;
import dev.jnydus.testkit.TestTrees;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chunk tables {@link CacheBlobs} takes from a RAFS v6 bootstrap (so that mounting needs no
 * backend request) must be the blob's own chunk-info array, chunk for chunk.
 */
class V6ChunkTablesTest {
    @TempDir
    Path tmp;

    @Test
    void bootstrapTableEqualsTheBlobsChunkInfoArray() throws Exception {
        Path src = TestTrees.generate(tmp.resolve("src"), TestTrees.Options.defaults().withMaxFileSize(512 << 10)
                .withRandomFiles(8).withBigDirEntries(50));
        Path blobs = Files.createDirectories(tmp.resolve("blobs"));
        BuildResult r = new ImageBuilder(BuildOptions.defaults().withFsVersion(6).withCompressor(Compressor.ZSTD)
                .withChunkSize(0x10000), null).create(src, BuildOutputs.toDir(tmp.resolve("boot"), blobs));
        try (RafsSuper sb = RafsSuper.open(r.bootstrap());
             LocalFsBackend backend = LocalFsBackend.ofDir(blobs)) {
            BlobInfo blob = new CacheBlobs(sb).blobs().get(0);
            ChunkTable fromBootstrap = blob.chunkTable();
            assertThat(fromBootstrap).as("the bootstrap names every chunk of a single-layer blob").isNotNull();
            assertThat(fromBootstrap.size()).isEqualTo(blob.chunkCount()).isGreaterThan(20);
            Path work = Files.createDirectories(tmp.resolve("work"));
            ChunkTable fromBlob = BlobMetaFile.load(work, blob.withChunkTable(null), backend).table();
            assertThat(fromBlob.size()).isEqualTo(fromBootstrap.size());
            for (int i = 0; i < fromBlob.size(); i++) {
                ChunkInfo a = fromBootstrap.get(i);
                ChunkInfo b = fromBlob.get(i);
                assertThat(a.index()).isEqualTo(i);
                assertThat(a.compressedOffset()).as("chunk %d", i).isEqualTo(b.compressedOffset());
                assertThat(a.compressedSize()).as("chunk %d", i).isEqualTo(b.compressedSize());
                assertThat(a.uncompressedOffset()).as("chunk %d", i).isEqualTo(b.uncompressedOffset());
                assertThat(a.uncompressedSize()).as("chunk %d", i).isEqualTo(b.uncompressedSize());
                assertThat(a.compressed()).as("chunk %d", i).isEqualTo(b.compressed());
            }
        }
    }
}
