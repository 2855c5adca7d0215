package dev.jnydus.rafs.fs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jnydus.builder.BuildOptions;
import dev.jnydus.builder.BuildOutputs;
import dev.jnydus.builder.BuildResult;
import dev.jnydus.builder.ImageBuilder;
import dev.jnydus.cache.device.BlobDevice;
import dev.jnydus.cache.device.BlobInfo;
import dev.jnydus.cache.device.BlobIoVec;
import dev.jnydus.cache.device.ChunkInfo;
import dev.jnydus.cache.device.ChunkSink;
import dev.jnydus.cache.device.PrefetchPriority;
import dev.jnydus.common.Compressor;
import dev.jnydus.rafs.metadata.FileExtent;
import dev.jnydus.rafs.metadata.RafsInode;
import dev.jnydus.rafs.metadata.RafsSuper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A listed large file is not pulled whole ahead of the other listed files: its head goes with
 * them, its remainder to the low-priority lane after all of them. Small files keep upstream's
 * whole-file prefetch.
 */
class LargeFilePrefetchTest {
    private static final int CHUNK = 0x10000;

    @TempDir
    Path tmp;

    /** Records what the prefetcher queues, and in which lane. */
    private static final class RecordingDevice implements BlobDevice {
        record Call(PrefetchPriority priority, List<ChunkInfo> chunks) {
        }

        final List<Call> calls = new ArrayList<>();
        private final List<BlobInfo> blobs;

        RecordingDevice(List<BlobInfo> blobs) {
            this.blobs = blobs;
        }

        @Override
        public List<BlobInfo> blobs() {
            return blobs;
        }

        @Override
        public long read(BlobIoVec io, ChunkSink sink) {
            throw new UnsupportedOperationException();
        }

        @Override
        public int prefetch(Collection<ChunkInfo> chunks) {
            return prefetch(chunks, PrefetchPriority.NORMAL);
        }

        @Override
        public int prefetch(Collection<ChunkInfo> chunks, PrefetchPriority priority) {
            calls.add(new Call(priority, List.copyOf(chunks)));
            return 1;
        }

        @Override
        public int prefetchBlobRange(int blobIndex, long offset, long length) {
            return 0;
        }

        @Override
        public int prefetchAll() {
            return 0;
        }

        @Override
        public boolean isReady(ChunkInfo chunk) {
            return false;
        }

        @Override
        public boolean isAllDataReady() {
            return false;
        }

        @Override
        public boolean awaitPrefetch(Duration timeout) {
            return true;
        }

        @Override
        public void close() {
        }
    }

    private static void write(Path p, int size, long seed) throws Exception {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        Files.write(p, b);
    }

    private static Set<Integer> chunkIndexes(RafsSuper sb, String name, long from, long to) throws Exception {
        RafsInode f = sb.lookup(sb.inode(sb.rootIno()), name.getBytes());
        Set<Integer> out = new TreeSet<>();
        for (FileExtent e : f.extents(0, f.size())) {
            if (e instanceof FileExtent.Chunk c && e.fileOffset() >= from && e.fileOffset() < to) {
                out.add(c.chunk().chunkIndex());
            }
        }
        return out;
    }

    @Test
    void aLargeListedFileGivesItsHeadFirstAndItsRemainderToTheLowLaneLast() throws Exception {
        Path src = Files.createDirectories(tmp.resolve("src"));
        write(src.resolve("big"), 12 * CHUNK, 1);
        write(src.resolve("small"), 3 * CHUNK + 100, 2);
        write(src.resolve("unlisted"), 2 * CHUNK, 3);
        Path blobs = Files.createDirectories(tmp.resolve("blobs"));
        BuildResult r = new ImageBuilder(BuildOptions.defaults().withFsVersion(6).withCompressor(Compressor.ZSTD)
                .withChunkSize(CHUNK), null).create(src, BuildOutputs.toDir(tmp.resolve("boot"), blobs));
        try (RafsSuper sb = RafsSuper.open(r.bootstrap())) {
            RecordingDevice dev = new RecordingDevice(new CacheBlobs(sb).blobs());
            // Large: 8 chunks or more; head: the first 2 chunks.
            RafsPrefetcher p = new RafsPrefetcher(sb, dev, 8L * CHUNK, 2L * CHUNK);
            p.run(Optional.of(List.of("/big", "/small")), false);

            Set<Integer> normal = new TreeSet<>();
            Set<Integer> low = new TreeSet<>();
            boolean lowSeen = false;
            for (RecordingDevice.Call c : dev.calls) {
                if (c.priority() == PrefetchPriority.LOW) {
                    lowSeen = true;
                    c.chunks().forEach(x -> low.add(x.index()));
                } else {
                    assertThat(lowSeen).as("a normal request queued after the low lane").isFalse();
                    c.chunks().forEach(x -> normal.add(x.index()));
                }
            }
            Set<Integer> expectNormal = new TreeSet<>(chunkIndexes(sb, "big", 0, 2L * CHUNK));
            expectNormal.addAll(chunkIndexes(sb, "small", 0, Long.MAX_VALUE));
            assertThat(expectNormal).hasSize(2 + 4);
            assertThat(normal).isEqualTo(expectNormal);
            assertThat(low).isEqualTo(chunkIndexes(sb, "big", 2L * CHUNK, Long.MAX_VALUE)).hasSize(10);
            assertThat(normal).doesNotContainAnyElementsOf(chunkIndexes(sb, "unlisted", 0, Long.MAX_VALUE));
        }
    }

    @Test
    void withTheDefaultThresholdsSmallFilesAreQueuedWholeInTheNormalLane() throws Exception {
        Path src = Files.createDirectories(tmp.resolve("src"));
        write(src.resolve("f"), 12 * CHUNK, 4);
        Path blobs = Files.createDirectories(tmp.resolve("blobs"));
        BuildResult r = new ImageBuilder(BuildOptions.defaults().withFsVersion(6).withCompressor(Compressor.ZSTD)
                .withChunkSize(CHUNK), null).create(src, BuildOutputs.toDir(tmp.resolve("boot"), blobs));
        try (RafsSuper sb = RafsSuper.open(r.bootstrap())) {
            RecordingDevice dev = new RecordingDevice(new CacheBlobs(sb).blobs());
            new RafsPrefetcher(sb, dev).run(Optional.of(List.of("/f")), false);
            assertThat(dev.calls).hasSize(1);
            assertThat(dev.calls.get(0).priority()).isEqualTo(PrefetchPriority.NORMAL);
            assertThat(dev.calls.get(0).chunks()).hasSize(12);
        }
    }
}
