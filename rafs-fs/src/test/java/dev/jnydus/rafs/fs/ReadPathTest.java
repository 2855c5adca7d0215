package dev.jnydus.rafs.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jnydus.cache.device.BlobDevice;
import dev.jnydus.cache.device.CacheFactory;
import dev.jnydus.cache.device.CacheManager;
import dev.jnydus.cache.device.CacheOptions;
import dev.jnydus.cache.device.CacheType;
import dev.jnydus.common.Compressor;
import dev.jnydus.common.Digester;
import dev.jnydus.common.Errno;
import dev.jnydus.common.FsException;
import dev.jnydus.fuse.api.Context;
import dev.jnydus.rafs.metadata.BlobInfo;
import dev.jnydus.rafs.metadata.ChunkRef;
import dev.jnydus.rafs.metadata.DirentVisitor;
import dev.jnydus.rafs.metadata.FileExtent;
import dev.jnydus.rafs.metadata.RafsFormatException;
import dev.jnydus.rafs.metadata.RafsInode;
import dev.jnydus.rafs.metadata.RafsSuper;
import dev.jnydus.rafs.metadata.RafsVersion;
import dev.jnydus.rafs.metadata.Xattr;
import dev.jnydus.testkit.FlakyBlobBackend;
import dev.jnydus.testkit.InMemoryBlobBackend;
import dev.jnydus.testkit.ManualTicker;
import dev.jnydus.testkit.RecordingBlobBackend;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The read path over a synthetic plain-EROFS image whose one file mixes every extent kind: chunks
 * on a device (one stored twice, as a deduplicated chunk is), holes, and data inline in the
 * bootstrap. Reads at any offset and size must give the file's bytes; lseek must find the holes.
 */
class ReadPathTest {
    private static final Context CTX = new Context(1, 0, 0, 1);
    private static final String DEVICE = "device1";
    private static final int BS = 4096;
    private static final long FILE = 10;
    private static final long SIZE = 10L * BS + 100;
    private static final long INLINE_AT = 8 * BS;

    private final byte[] blob = random(4 * BS, 1);
    private final byte[] bootstrap = random(16 * BS, 2);
    private CacheManager cache;
    private BlobDevice device;

    @AfterEach
    void close() {
        if (device != null) {
            device.close();
        }
        if (cache != null) {
            cache.close();
        }
    }

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static ChunkRef chunk(long fileOffset, long blobOffset, int len) {
        return new ChunkRef(0, (int) (fileOffset / BS), 0, blobOffset, len, blobOffset, len, fileOffset, null, 0);
    }

    /** The file: chunk, hole, inline, 2-block chunk, the first chunk again, hole to the end. */
    private static final List<FileExtent> LAYOUT = List.of(
            new FileExtent.Chunk(chunk(0, 2L * BS, BS)),
            new FileExtent.Hole(BS, 2L * BS),
            new FileExtent.Inline(3L * BS, BS, INLINE_AT),
            new FileExtent.Chunk(chunk(4L * BS, 0, 2 * BS)),
            new FileExtent.Chunk(chunk(6L * BS, 2L * BS, BS)),
            new FileExtent.Hole(7L * BS, SIZE - 7L * BS));

    private byte[] expected() {
        byte[] out = new byte[(int) SIZE];
        System.arraycopy(blob, 2 * BS, out, 0, BS);
        System.arraycopy(bootstrap, (int) INLINE_AT, out, 3 * BS, BS);
        System.arraycopy(blob, 0, out, 4 * BS, 2 * BS);
        System.arraycopy(blob, 2 * BS, out, 6 * BS, BS);
        return out;
    }

    private RafsFileSystem open(dev.jnydus.backend.BlobBackend backend) throws Exception {
        FakeImage sb = new FakeImage();
        cache = CacheFactory.builder(CacheOptions.builder(CacheType.DUMMYCACHE).memoryCacheBytes(0).build(), backend)
                .build();
        device = cache.open(new CacheBlobs(sb).blobs());
        return RafsFileSystem.builder(sb).device(device).ticker(new ManualTicker()).build();
    }

    @Test
    void everyReadWindowGivesTheFilesBytes() throws Exception {
        RafsFileSystem fs = open(new InMemoryBlobBackend().put(DEVICE, blob));
        byte[] want = expected();
        Random r = new Random(7);
        for (int i = 0; i < 500; i++) {
            long off = r.nextInt((int) SIZE + 10);
            int len = 1 + r.nextInt(3 * BS);
            ByteBuffer dst = ByteBuffer.allocateDirect(len);
            fs.read(CTX, FILE, 0, off, dst);
            int n = (int) Math.max(0, Math.min(len, SIZE - off));
            assertThat(dst.position()).as("read %d at %d", len, off).isEqualTo(n);
            byte[] got = new byte[n];
            dst.flip().get(got);
            assertThat(got).as("read %d at %d", len, off).isEqualTo(Arrays.copyOfRange(want, (int) Math.min(off, SIZE),
                    (int) Math.min(off, SIZE) + n));
        }
    }

    @Test
    void plainErofsChunksAreKeyedByTheirDeviceBlock() throws Exception {
        RecordingBlobBackend rec = new RecordingBlobBackend(new InMemoryBlobBackend().put(DEVICE, blob));
        FakeImage sb = new FakeImage();
        CacheBlobs blobs = new CacheBlobs(sb);
        // File chunk 0 and file chunk 6 are the same stored chunk: one key, whatever the file position.
        assertThat(blobs.chunk(chunk(0, 2L * BS, BS)).index()).isEqualTo(2);
        assertThat(blobs.chunk(chunk(6L * BS, 2L * BS, BS)).index()).isEqualTo(2);
        assertThat(blobs.chunk(chunk(4L * BS, 0, 2 * BS)).index()).isZero();
        assertThat(blobs.blobs().get(0).chunkCount()).as("readiness of device blocks is not persisted").isZero();

        cache = CacheFactory.builder(CacheOptions.builder(CacheType.DUMMYCACHE).build(), rec).build();
        device = cache.open(blobs.blobs());
        RafsFileSystem fs = RafsFileSystem.builder(sb).device(device).build();
        ByteBuffer dst = ByteBuffer.allocateDirect((int) SIZE);
        fs.read(CTX, FILE, 0, 0, dst);
        assertThat(rec.bytes(DEVICE)).as("the deduplicated chunk is fetched once").isEqualTo(3L * BS);
    }

    @Test
    void lseekFindsDataAndHoles() throws Exception {
        RafsFileSystem fs = open(new InMemoryBlobBackend().put(DEVICE, blob));
        int data = RafsFileSystem.SEEK_DATA;
        int hole = RafsFileSystem.SEEK_HOLE;
        assertThat(fs.lseek(CTX, FILE, 0, 0, data)).isZero();
        assertThat(fs.lseek(CTX, FILE, 0, 0, hole)).isEqualTo(BS);
        assertThat(fs.lseek(CTX, FILE, 0, BS + 10, hole)).isEqualTo(BS + 10);
        assertThat(fs.lseek(CTX, FILE, 0, BS + 10, data)).isEqualTo(3L * BS);
        assertThat(fs.lseek(CTX, FILE, 0, 3L * BS, hole)).isEqualTo(7L * BS);
        assertThat(fs.lseek(CTX, FILE, 0, SIZE - 1, hole)).isEqualTo(SIZE - 1);
        for (long off : new long[] {7L * BS, SIZE - 1, SIZE, SIZE + 5}) {
            assertThatThrownBy(() -> fs.lseek(CTX, FILE, 0, off, data)).as("SEEK_DATA at %d", off)
                    .isInstanceOfSatisfying(FsException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ENXIO));
        }
        assertThatThrownBy(() -> fs.lseek(CTX, FILE, 0, SIZE, hole))
                .isInstanceOfSatisfying(FsException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ENXIO));
        assertThatThrownBy(() -> fs.lseek(CTX, FILE, 0, 0, 1))
                .isInstanceOfSatisfying(FsException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EINVAL));
    }

    @Test
    void backendFailuresAreEioAndLoggedOncePerPeriod() throws Exception {
        FlakyBlobBackend flaky = new FlakyBlobBackend(new InMemoryBlobBackend().put(DEVICE, blob)).failAll(true);
        RafsFileSystem fs = open(flaky);
        for (int i = 0; i < 3; i++) {
            ByteBuffer dst = ByteBuffer.allocateDirect(BS);
            assertThatThrownBy(() -> fs.read(CTX, FILE, 0, 0, dst))
                    .isInstanceOfSatisfying(FsException.class, e -> {
                        assertThat(e.errno()).isEqualTo(Errno.EIO);
                        assertThat(e.getMessage()).contains(DEVICE);
                    });
        }
        // Data that needs no blob is still served.
        ByteBuffer inline = ByteBuffer.allocateDirect(BS);
        fs.read(CTX, FILE, 0, 3L * BS, inline);
        assertThat(inline.position()).isEqualTo(BS);
        flaky.failAll(false);
        ByteBuffer dst = ByteBuffer.allocateDirect(BS);
        fs.read(CTX, FILE, 0, 0, dst);
        assertThat(dst.position()).isEqualTo(BS);

        ManualTicker t = new ManualTicker();
        BlobErrorLog log = new BlobErrorLog(t, 10, TimeUnit.SECONDS);
        assertThat(log.failed("b1", "read", "boom")).isTrue();
        assertThat(log.failed("b1", "read", "boom")).isFalse();
        assertThat(log.failed("b2", "read", "boom")).as("per blob").isTrue();
        t.advance(Duration.ofSeconds(11));
        assertThat(log.failed("b1", "read", "boom")).isTrue();
    }

    /** The file over a blobcache in {@code dir} with {@code backend}, misses fetched on {@code fetches}. */
    private RafsFileSystem openCached(dev.jnydus.backend.BlobBackend backend, Path dir, Executor fetches)
            throws Exception {
        FakeImage sb = new FakeImage();
        cache = CacheFactory.builder(CacheOptions.builder(CacheType.BLOBCACHE).workDir(dir).amplifyIo(0).build(),
                backend).build();
        device = cache.open(new CacheBlobs(sb).blobs());
        return RafsFileSystem.builder(sb).device(device).ticker(new ManualTicker()).fetchExecutor(fetches).build();
    }

    private byte[] expected(long off, int len) {
        return Arrays.copyOfRange(expected(), (int) off, (int) off + len);
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }

    @Test
    void aMissWaitsOnTheFetchExecutorAndCachedDataIsAnsweredOnTheCallersThread(@TempDir Path dir) throws Exception {
        CountDownLatch backendAnswers = new CountDownLatch(1);
        FlakyBlobBackend stalled = new FlakyBlobBackend(new InMemoryBlobBackend().put(DEVICE, blob))
                .holdRequestsUntil(backendAnswers);
        ExecutorService fetches = Executors.newSingleThreadExecutor();
        try {
            RafsFileSystem fs = openCached(stalled, dir, fetches);
            ByteBuffer dst = ByteBuffer.allocateDirect(BS);
            CompletionStage<ByteBuffer> miss = fs.readAsync(CTX, FILE, 0, 0, dst);
            assertThat(miss).as("chunk 0 is not cached").isNotNull();
            assertThat(dst.position()).as("the caller's buffer is left alone").isZero();

            // While the backend hangs: holes and inline data need no chunk, so they are answered now.
            ByteBuffer hole = ByteBuffer.allocateDirect(2 * BS);
            assertThat(fs.readAsync(CTX, FILE, 0, BS, hole)).isNull();
            assertThat(bytes(hole.flip())).isEqualTo(expected(BS, 2 * BS));
            ByteBuffer inline = ByteBuffer.allocateDirect(BS);
            assertThat(fs.readAsync(CTX, FILE, 0, 3L * BS, inline)).isNull();
            assertThat(bytes(inline.flip())).isEqualTo(expected(3L * BS, BS));
            assertThat(miss.toCompletableFuture()).isNotDone();

            backendAnswers.countDown();
            ByteBuffer got = miss.toCompletableFuture().get(30, TimeUnit.SECONDS);
            assertThat(got).isNotSameAs(dst);
            assertThat(bytes(got)).isEqualTo(expected(0, BS));

            // Now cached: the same read (and chunk 6, the same stored chunk) is answered at once.
            ByteBuffer again = ByteBuffer.allocateDirect(BS);
            assertThat(fs.readAsync(CTX, FILE, 0, 0, again)).isNull();
            assertThat(bytes(again.flip())).isEqualTo(expected(0, BS));
            ByteBuffer dedup = ByteBuffer.allocateDirect(BS);
            assertThat(fs.readAsync(CTX, FILE, 0, 6L * BS, dedup)).isNull();
            assertThat(bytes(dedup.flip())).isEqualTo(expected(6L * BS, BS));
            // A range with one cached and one missing chunk goes to the executor whole.
            CompletionStage<ByteBuffer> mixed = fs.readAsync(CTX, FILE, 0, 0, ByteBuffer.allocateDirect((int) SIZE));
            assertThat(mixed).isNotNull();
            assertThat(bytes(mixed.toCompletableFuture().get(30, TimeUnit.SECONDS))).isEqualTo(expected());
        } finally {
            fetches.shutdownNow();
        }
    }

    @Test
    void aFailedFetchCompletesWithEioAndARefusedOneIsEioAtOnce(@TempDir Path dir) throws Exception {
        FlakyBlobBackend down = new FlakyBlobBackend(new InMemoryBlobBackend().put(DEVICE, blob)).failAll(true);
        ExecutorService fetches = Executors.newSingleThreadExecutor();
        try {
            RafsFileSystem fs = openCached(down, dir, fetches);
            CompletionStage<ByteBuffer> miss = fs.readAsync(CTX, FILE, 0, 0, ByteBuffer.allocateDirect(BS));
            assertThatThrownBy(() -> miss.toCompletableFuture().get(30, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(FsException.class)
                    .satisfies(e -> assertThat(((FsException) e.getCause()).errno()).isEqualTo(Errno.EIO));
            fetches.shutdown();
            assertThatThrownBy(() -> fs.readAsync(CTX, FILE, 0, 0, ByteBuffer.allocateDirect(BS)))
                    .isInstanceOfSatisfying(FsException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EIO));
        } finally {
            fetches.shutdownNow();
        }
    }

    @Test
    void withoutAFetchExecutorEveryReadIsAnsweredOnTheCallersThread() throws Exception {
        RafsFileSystem fs = open(new InMemoryBlobBackend().put(DEVICE, blob));
        ByteBuffer dst = ByteBuffer.allocateDirect((int) SIZE);
        assertThat(fs.readAsync(CTX, FILE, 0, 0, dst)).isNull();
        assertThat(bytes(dst.flip())).isEqualTo(expected());
    }

    /** A plain-EROFS-like image: root (nid 1) with one file (nid 10), one device blob. */
    private final class FakeImage implements RafsSuper {
        private final RafsInode root = new FakeInode(1, RafsInode.S_IFDIR | 0755, 4096);
        private final RafsInode file = new FakeInode(FILE, RafsInode.S_IFREG | 0644, SIZE);

        @Override
        public RafsVersion version() {
            return RafsVersion.EROFS;
        }

        @Override
        public long flags() {
            return 0;
        }

        @Override
        public boolean explicitUidGid() {
            return true;
        }

        @Override
        public Compressor compressor() {
            return Compressor.NONE;
        }

        @Override
        public Digester digester() {
            return Digester.SHA256;
        }

        @Override
        public int chunkSize() {
            return BS;
        }

        @Override
        public int blockSize() {
            return BS;
        }

        @Override
        public long inodeCount() {
            return 2;
        }

        @Override
        public long rootIno() {
            return 1;
        }

        @Override
        public RafsInode inode(long ino) throws RafsFormatException {
            if (ino == 1) {
                return root;
            }
            if (ino == FILE) {
                return file;
            }
            throw new RafsFormatException("no inode " + ino);
        }

        @Override
        public RafsInode lookup(RafsInode dir, byte[] name) {
            return dir == root && Arrays.equals(name, "f".getBytes()) ? file : null;
        }

        @Override
        public void readdir(RafsInode dir, long offset, DirentVisitor visitor) throws RafsFormatException {
            if (offset < 1 && !visitor.accept(new byte[] {'.'}, 1, 4, 1)) {
                return;
            }
            if (offset < 2 && !visitor.accept(new byte[] {'.', '.'}, 1, 4, 2)) {
                return;
            }
            if (offset < 3) {
                visitor.accept(new byte[] {'f'}, FILE, 8, 3);
            }
        }

        @Override
        public List<BlobInfo> blobs() {
            return List.of(new BlobInfo(0, DEVICE, Compressor.NONE, Digester.SHA256, BS, 0, blob.length, blob.length, 0,
                    0, 0, 0, 0, 0, Compressor.NONE, 0, new byte[32], new byte[32], 0));
        }

        @Override
        public long[] prefetchInodes() {
            return new long[0];
        }

        @Override
        public void readBootstrap(long offset, ByteBuffer dst) {
            dst.put(bootstrap, (int) offset, dst.remaining());
        }

        @Override
        public long bootstrapSize() {
            return bootstrap.length;
        }

        @Override
        public Path path() {
            return Path.of("<fake>");
        }

        @Override
        public void close() {
        }
    }

    private record FakeInode(long ino, int mode, long size) implements RafsInode {
        @Override
        public long uid() {
            return 0;
        }

        @Override
        public long gid() {
            return 0;
        }

        @Override
        public long blocks() {
            return (size + 511) / 512;
        }

        @Override
        public int nlink() {
            return 1;
        }

        @Override
        public long rdev() {
            return 0;
        }

        @Override
        public long mtime() {
            return 1;
        }

        @Override
        public int mtimeNsec() {
            return 0;
        }

        @Override
        public byte[] symlinkTarget() {
            return new byte[0];
        }

        @Override
        public List<Xattr> xattrs() {
            return List.of();
        }

        @Override
        public List<FileExtent> extents(long offset, long length) {
            if (!isReg() || offset >= size) {
                return List.of();
            }
            long end = Math.min(size, offset + length);
            List<FileExtent> out = new ArrayList<>();
            for (FileExtent e : LAYOUT) {
                if (e.fileOffset() < end && e.fileOffset() + e.length() > offset) {
                    out.add(e);
                }
            }
            return out;
        }
    }
}
