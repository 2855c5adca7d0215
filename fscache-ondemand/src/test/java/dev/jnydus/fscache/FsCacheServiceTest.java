package dev.jnydus.fscache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jnydus.backend.BlobBackend;
import dev.jnydus.config.BlobCacheEntry;
import dev.jnydus.fscache.cachefiles.MessageCodec;
import dev.jnydus.rafs.metadata.FileExtent;
import dev.jnydus.rafs.metadata.RafsInode;
import dev.jnydus.rafs.metadata.RafsSuper;
import dev.jnydus.testkit.Fixtures;
import dev.jnydus.testkit.FlakyBlobBackend;
import dev.jnydus.testkit.InMemoryBlobBackend;
import dev.jnydus.testkit.RecordingBlobBackend;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon's answers to OPEN, READ and CLOSE, with the kernel played by {@link
 * FakeCachefilesChannel}, on upstream's RAFS v6 zstd fixture: what a READ leaves in the cache
 * object must be what EROFS then reads, so the image's files are rebuilt from the object bytes
 * and compared with the fixture's md5 list.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FsCacheServiceTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String DOMAIN = "domain1";
    private static final String FSID = "image1";

    @TempDir
    Path work;

    private Path fixture;
    private Path bootstrap;
    private String blobId;
    private byte[] blobBytes;
    private RecordingBlobBackend backend;
    private FakeCachefilesChannel kernel;
    private BlobCacheEntries entries;
    private FsCacheService service;

    @BeforeEach
    void setUp() throws Exception {
        fixture = Fixtures.dir("upstream-v6-zstd-blake3");
        bootstrap = fixture.resolve("bootstrap");
        try (var s = Files.list(fixture.resolve("blobs"))) {
            Path blob = s.findFirst().orElseThrow();
            blobId = blob.getFileName().toString();
            blobBytes = Files.readAllBytes(blob);
        }
        backend = new RecordingBlobBackend(new InMemoryBlobBackend().put(blobId, blobBytes));
        kernel = new FakeCachefilesChannel();
    }

    @AfterEach
    void tearDown() {
        if (service != null) {
            service.close();
        }
        if (entries != null) {
            entries.close();
        }
    }

    private BlobCacheEntry entry(String domain, String id, boolean prefetch) throws Exception {
        Path workDir = Files.createDirectories(work.resolve("cache"));
        String json = "{\"type\":\"bootstrap\",\"id\":\"" + id + "\",\"domain_id\":\"" + domain + "\","
                + "\"config_v2\":{\"version\":2,\"id\":\"" + id + "\","
                + "\"backend\":{\"type\":\"localfs\",\"localfs\":{\"dir\":\"" + fixture.resolve("blobs") + "\"}},"
                + "\"cache\":{\"type\":\"fscache\",\"fscache\":{\"work_dir\":\"" + workDir + "\"}"
                + (prefetch ? ",\"prefetch\":{\"enable\":true,\"threads\":2}" : "") + "},"
                + "\"metadata_path\":\"" + bootstrap + "\"}}";
        return BlobCacheEntry.parse(json);
    }

    private void start(Function<Object, BlobBackend> backends, BlobCacheEntry... bound) throws Exception {
        entries = new BlobCacheEntries(c -> backends.apply(c));
        for (BlobCacheEntry e : bound) {
            entries.add(e);
        }
        service = FsCacheService.start(kernel, entries, 2);
    }

    private void start(BlobCacheEntry... bound) throws Exception {
        start(c -> backend, bound);
    }

    @Test
    void servesTheBootstrapAndTheBlobSoThatEveryFileReadsBack() throws Exception {
        start(entry(DOMAIN, FSID, false));
        long bootSize = Files.size(bootstrap);

        RecordingObjectFile boot = kernel.open(1, "erofs," + DOMAIN, FSID);
        assertThat(kernel.awaitCommand("copen 0,", WAIT)).isEqualTo("copen 0," + bootSize);
        int r0 = kernel.read(1, 0, 4096);
        boot.awaitCompleted(r0, WAIT);
        // The whole bootstrap is copied in the background.
        boot.awaitHolds(0, bootSize, WAIT);
        assertThat(boot.bytes(0, (int) bootSize)).isEqualTo(Files.readAllBytes(bootstrap));

        RecordingObjectFile blob = kernel.open(2, "erofs," + DOMAIN, blobId);
        int openBlob = kernel.lastOpenMsgId();
        long uncompressed;
        try (RafsSuper sb = RafsSuper.open(bootstrap)) {
            uncompressed = sb.blobs().get(0).uncompressedSize();
        }
        assertThat(kernel.awaitCommand("copen " + openBlob + ",", WAIT)).isEqualTo("copen " + openBlob + "," + uncompressed);
        int r1 = kernel.read(2, 0, (uncompressed + 4095) & ~4095L);
        blob.awaitCompleted(r1, WAIT);

        assertThat(filesFrom(blob)).isEqualTo(expectedMd5());
        assertThat(service.stats().readFailures()).isZero();

        // Everything is present: the same READ again costs the backend nothing.
        int before = backend.requestCount();
        int r2 = kernel.read(2, 0, uncompressed);
        blob.awaitCompleted(r2, WAIT);
        assertThat(backend.requestCount()).isEqualTo(before);

        kernel.close(2);
        kernel.close(1);
        blob.awaitClosed(WAIT);
        boot.awaitClosed(WAIT);
        assertThat(service.stats().openObjects()).isZero();
        // The bootstrap names every chunk of this single-layer image: no blob meta was needed.
        assertThat(Files.exists(work.resolve("cache").resolve(blobId + ".blob.meta"))).isFalse();
    }

    @Test
    void corruptDataIsNeverWrittenToTheCacheFile() throws Exception {
        FlakyBlobBackend corrupting = new FlakyBlobBackend(new InMemoryBlobBackend().put(blobId, blobBytes))
                .corruptByte(blobId, 100, 2);
        BlobCacheEntry e = BlobCacheEntry.parse(entry(DOMAIN, FSID, false).toJson()
                .replace("\"validate\":false", "\"validate\":true"));
        assertThat(e.config().cache().validate()).isTrue();
        start(c -> corrupting, e);
        RecordingObjectFile blob = kernel.open(2, "erofs," + DOMAIN, blobId);
        kernel.awaitCommand("copen 0,", WAIT);
        // Fetched, refetched, corrupt both times: the READ completes without data.
        int r = kernel.read(2, 0, 4096);
        blob.awaitCompleted(r, WAIT);
        assertThat(blob.holds(0, 4096)).isFalse();
        int r2 = kernel.read(2, 0, 4096);
        blob.awaitCompleted(r2, WAIT);
        assertThat(blob.holds(0, 4096)).isTrue();
        assertThat(filesFrom(blob)).isEqualTo(expectedMd5());
    }

    @Test
    void aBlobWhoseBootstrapDoesNotNameEveryChunkIsPlacedByItsBlobMeta() throws Exception {
        // As for a lower layer with deleted files: the chunk table comes from the blob itself.
        start(entry(DOMAIN, FSID, false));
        CacheTarget.DataBlob t = (CacheTarget.DataBlob) entries.lookup(DOMAIN, blobId).orElseThrow();
        assertThat(t.blob().chunkTable()).as("the bootstrap names every chunk of the fixture").isNotNull();
        CacheTarget.DataBlob withoutTable = new CacheTarget.DataBlob(t.key(), t.blob().withChunkTable(null),
                t.storage());
        RecordingObjectFile file = new RecordingObjectFile(77);
        DataBlobObject obj = new DataBlobObject(9, file, withoutTable, Runnable::run);
        obj.started();
        obj.fill(0, t.blob().uncompressedSize());
        assertThat(filesFrom(file)).isEqualTo(expectedMd5());
        assertThat(work.resolve("cache").resolve(blobId + ".blob.meta")).isRegularFile();
        obj.close();
        assertThat(file.isClosed()).isTrue();
    }

    /** The md5 of every regular file of the image, rebuilt from its chunks' uncompressed offsets. */
    private Map<String, String> filesFrom(RecordingObjectFile blob) throws Exception {
        Map<String, String> out = new LinkedHashMap<>();
        try (RafsSuper sb = RafsSuper.open(bootstrap)) {
            RafsInode root = sb.inode(sb.rootIno());
            List<String> names = new java.util.ArrayList<>();
            sb.readdir(root, 0, (name, ino, type, next) -> {
                names.add(new String(name, StandardCharsets.UTF_8));
                return true;
            });
            for (String n : names) {
                RafsInode f = sb.lookup(root, n.getBytes(StandardCharsets.UTF_8));
                if (!f.isReg()) {
                    continue;
                }
                ByteArrayOutputStream data = new ByteArrayOutputStream();
                for (FileExtent e : f.extents(0, f.size())) {
                    FileExtent.Chunk c = (FileExtent.Chunk) e;
                    data.writeBytes(blob.bytes(c.chunk().uncompressedOffset(), c.chunk().uncompressedSize()));
                }
                out.put("/" + n, md5(data.toByteArray()));
            }
        }
        return out;
    }

    private Map<String, String> expectedMd5() throws Exception {
        Map<String, String> out = new LinkedHashMap<>();
        for (String line : Files.readAllLines(fixture.resolve("md5.txt"))) {
            String[] p = line.split("\\s+", 2);
            out.put(p[1], p[0]);
        }
        return out;
    }

    private static String md5(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(b));
    }

    @Test
    void anUnknownCookieIsRefusedWithEnoentAndItsFdClosed() throws Exception {
        start(entry(DOMAIN, FSID, false));
        RecordingObjectFile f = kernel.open(1, "erofs," + DOMAIN, "nope");
        assertThat(kernel.awaitCommand("copen 0,", WAIT)).isEqualTo("copen 0,-2");
        f.awaitClosed(WAIT);
        // A mount without domain_id looks in the domain named like its fsid.
        RecordingObjectFile g = kernel.open(2, "erofs," + FSID, FSID);
        assertThat(kernel.awaitCommand("copen 1,", WAIT)).isEqualTo("copen 1,-2");
        g.awaitClosed(WAIT);
        assertThat(service.stats().openFailures()).isEqualTo(2);
    }

    @Test
    void aBackendFailureCompletesTheReadWithoutData() throws Exception {
        FlakyBlobBackend failing = new FlakyBlobBackend(new InMemoryBlobBackend().put(blobId, blobBytes)).failAll(true);
        start(c -> failing, entry(DOMAIN, FSID, false));
        RecordingObjectFile blob = kernel.open(2, "erofs," + DOMAIN, blobId);
        kernel.awaitCommand("copen 0,", WAIT);
        int r = kernel.read(2, 0, 4096);
        // The reader is woken (the kernel then finds a hole and answers EIO), not left hanging.
        blob.awaitCompleted(r, WAIT);
        assertThat(blob.holds(0, 4096)).isFalse();
        assertThat(service.stats().readFailures()).isEqualTo(1);
        // Once the backend is back, the next READ fills the object.
        failing.failAll(false);
        int r2 = kernel.read(2, 0, 4096);
        blob.awaitCompleted(r2, WAIT);
        assertThat(blob.holds(0, 4096)).isTrue();
    }

    @Test
    void twoImagesOfADomainShareTheirBlobAndUnbindingOneKeepsTheOther() throws Exception {
        start(entry(DOMAIN, "image-a", false), entry(DOMAIN, "image-b", false));
        assertThat(entries.dataBlobCount()).isEqualTo(1);
        entries.remove(DOMAIN, "image-a");
        assertThat(entries.contains(DOMAIN, blobId)).isTrue();
        RecordingObjectFile blob = kernel.open(7, "erofs," + DOMAIN, blobId);
        assertThat(kernel.awaitCommand("copen 0,", WAIT)).doesNotContain("-");
        int r = kernel.read(7, 0, 4096);
        blob.awaitCompleted(r, WAIT);
        assertThat(blob.holds(0, 4096)).isTrue();
        entries.remove(DOMAIN, "image-b");
        assertThat(entries.contains(DOMAIN, blobId)).isFalse();
        assertThatThrownBy(() -> entries.remove(DOMAIN, "image-b"))
                .isInstanceOfSatisfying(BlobCacheException.class,
                        e -> assertThat(e.kind()).isEqualTo(BlobCacheException.Kind.NOT_FOUND))
                .hasMessageContaining("blob_cache: cache entry not found");
        // The open object keeps serving after its entry is gone.
        int r2 = kernel.read(7, 8192, 4096);
        blob.awaitCompleted(r2, WAIT);
    }

    @Test
    void removalFollowsUpstreamForDataBlobsAndWholeDomains() throws Exception {
        start(entry(DOMAIN, "image-a", false), entry(DOMAIN, "image-b", false), entry("other", "image-c", false));
        assertThat(entries.dataBlobCount()).as("one blob per domain").isEqualTo(2);
        // A data blob removed by its own key loses one of its two references, then the other.
        entries.remove(DOMAIN, blobId);
        assertThat(entries.contains(DOMAIN, blobId)).isTrue();
        entries.remove(DOMAIN, blobId);
        assertThat(entries.contains(DOMAIN, blobId)).isFalse();
        assertThatThrownBy(() -> entries.remove(DOMAIN, blobId)).hasMessageContaining("blob_cache: cache entry not found");
        // An empty blob id removes the domain, and only it; an empty domain is no error.
        entries.remove(DOMAIN, "");
        assertThat(entries.entries()).extracting(BlobCacheEntry::key).containsExactly("other/image-c");
        assertThat(entries.contains("other", blobId)).isTrue();
        entries.remove(DOMAIN, "");
        assertThatThrownBy(() -> entries.remove("", "image-c"))
                .isInstanceOfSatisfying(BlobCacheException.class,
                        e -> assertThat(e.kind()).isEqualTo(BlobCacheException.Kind.NOT_FOUND));
    }

    @Test
    void eachBoundImageCountsItsCacheRequestsAndBackendReads() throws Exception {
        start(c -> dev.jnydus.backend.localfs.LocalFsBackend.ofDir(fixture.resolve("blobs")),
                entry(DOMAIN, "image-a", false), entry(DOMAIN, "image-b", false));
        RecordingObjectFile blob = kernel.open(4, "erofs," + DOMAIN, blobId);
        kernel.awaitCommand("copen 0,", WAIT);
        int r = kernel.read(4, 0, 4096);
        blob.awaitCompleted(r, WAIT);
        List<BlobCacheEntries.EntryMetrics> m = entries.metrics();
        assertThat(m).extracting(e -> e.entry().key()).containsExactly(DOMAIN + "/image-a", DOMAIN + "/image-b");
        // The blob is served through the storage of the first image that named it, as upstream.
        assertThat(m.get(0).cache().total()).isPositive();
        assertThat(m.get(0).cache().storePath()).isEqualTo(work.resolve("cache").toString());
        assertThat(m.get(0).backend()).hasValueSatisfying(b -> assertThat(b.snapshot().toJson())
                .contains("\"backend_type\":\"localfs\"").doesNotContain("\"read_count\":0,"));
        assertThat(m.get(1).cache().total()).isZero();
    }

    @Test
    void stoppedWorkersLeaveTheDeviceAndItsObjectsOpen() throws Exception {
        start(entry(DOMAIN, FSID, false));
        RecordingObjectFile blob = kernel.open(5, "erofs," + DOMAIN, blobId);
        kernel.awaitCommand("copen 0,", WAIT);
        service.stopWorkers();
        assertThat(service.isServing()).isFalse();
        assertThat(kernel.isClosed()).isFalse();
        assertThat(blob.isClosed()).isFalse();
        assertThatThrownBy(service::startWorkers).isInstanceOf(IllegalStateException.class);
        service.close();
        assertThat(kernel.isClosed()).isTrue();
        assertThat(blob.isClosed()).isTrue();
    }

    @Test
    void aServiceCreatedButNotStartedAnswersNothingUntilStarted() throws Exception {
        entries = new BlobCacheEntries(c -> backend);
        entries.add(entry(DOMAIN, FSID, false));
        service = FsCacheService.create(kernel, entries, 2);
        assertThat(service.isServing()).isFalse();
        kernel.open(6, "erofs," + DOMAIN, FSID);
        service.startWorkers();
        assertThat(kernel.awaitCommand("copen 0,", WAIT)).isEqualTo("copen 0," + Files.size(bootstrap));
        assertThat(service.isServing()).isTrue();
    }

    @Test
    void aCloseDuringAReadClosesTheFdOnlyAfterTheRead() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        FlakyBlobBackend held = new FlakyBlobBackend(new InMemoryBlobBackend().put(blobId, blobBytes))
                .holdRequestsUntil(release);
        start(c -> held, entry(DOMAIN, FSID, false));
        RecordingObjectFile blob = kernel.open(3, "erofs," + DOMAIN, blobId);
        kernel.awaitCommand("copen 0,", WAIT);
        int r = kernel.read(3, 0, 4096);
        // The READ's fetch waits at the backend.
        await(() -> held.requestCount() >= 1);
        kernel.close(3);
        // The CLOSE is handled by the other worker while the READ waits.
        await(() -> service.stats().closes() == 1);
        assertThat(blob.isClosed()).isFalse();
        release.countDown();
        blob.awaitCompleted(r, WAIT);
        blob.awaitClosed(WAIT);
        assertThat(blob.holds(0, 4096)).isTrue();
        assertThat(service.stats().readFailures()).isZero();
    }

    @Test
    void aMalformedOpenIsFailedAndItsFdClosed() throws Exception {
        start(entry(DOMAIN, FSID, false));
        RecordingObjectFile f = kernel.registerFd(55);
        ByteBuffer b = ByteBuffer.allocate(36).order(ByteOrder.nativeOrder());
        // msg 9, OPEN, 36 bytes, object 1, volume key of 2 bytes without its NUL, cookie of 2, fd 55
        b.putInt(9).putInt(0).putInt(36).putInt(1).putInt(2).putInt(2).putInt(55).putInt(0);
        b.put("abcd".getBytes(StandardCharsets.US_ASCII)).flip();
        kernel.enqueueRaw(b);
        f.awaitClosed(WAIT);
        assertThat(kernel.awaitCommand("copen 9,", WAIT)).isEqualTo("copen 9,-22");
    }

    @Test
    void aRestartedDaemonFindsWhatIsCachedAndFetchesNothingAgain() throws Exception {
        start(entry(DOMAIN, FSID, false));
        RecordingObjectFile blob = kernel.open(4, "erofs," + DOMAIN, blobId);
        kernel.awaitCommand("copen 0,", WAIT);
        int r = kernel.read(4, 0, 1 << 20);
        blob.awaitCompleted(r, WAIT);
        FsCacheState state = new FsCacheState(work.toString(), java.util.Optional.empty(), 2, entries.entries());
        service.close();
        entries.close();

        // The new daemon: entries from the saved state, a reopened object over the same cache file.
        FsCacheState restored = FsCacheState.parse(state.toBytes());
        assertThat(restored).isEqualTo(state);
        backend.reset();
        kernel = new FakeCachefilesChannel();
        entries = new BlobCacheEntries(c -> backend);
        for (BlobCacheEntry e : restored.blobs()) {
            entries.add(e);
        }
        service = FsCacheService.start(kernel, entries, 2);
        RecordingObjectFile reopened = kernel.newFile();
        copyInto(blob, reopened);
        kernel.open(9, "erofs," + DOMAIN, blobId, reopened);
        kernel.awaitCommand("copen 0,", WAIT);
        int r2 = kernel.read(9, 0, 1 << 20);
        reopened.awaitCompleted(r2, WAIT);
        assertThat(backend.requestCount()).isZero();
    }

    /** The kernel's cache file outlives the fd: the reopened object sees the same bytes. */
    private static void copyInto(RecordingObjectFile from, RecordingObjectFile to) throws Exception {
        for (long off = 0; off < (1 << 20); off += 4096) {
            if (from.holds(off, 4096)) {
                to.write(off, ByteBuffer.wrap(from.bytes(off, 4096)));
            }
        }
    }

    @Test
    void prefetchFillsTheBlobWithoutAnyRead() throws Exception {
        start(entry(DOMAIN, FSID, true));
        RecordingObjectFile blob = kernel.open(5, "erofs," + DOMAIN, blobId);
        kernel.awaitCommand("copen 0,", WAIT);
        long uncompressed;
        try (RafsSuper sb = RafsSuper.open(bootstrap)) {
            uncompressed = sb.blobs().get(0).uncompressedSize();
        }
        blob.awaitHolds(0, uncompressed, WAIT);
        assertThat(filesFrom(blob)).isEqualTo(expectedMd5());
        assertThat(service.stats().reads()).isZero();
    }

    @Test
    void entriesAreCheckedBeforeAnythingIsBound() throws Exception {
        entries = new BlobCacheEntries(c -> backend);
        BlobCacheEntry good = entry(DOMAIN, FSID, false);
        entries.add(good);
        assertThatThrownBy(() -> entries.add(good))
                .isInstanceOfSatisfying(BlobCacheException.class,
                        e -> assertThat(e.kind()).isEqualTo(BlobCacheException.Kind.EXISTS))
                .hasMessageContaining("bootstrap blob already exists");
        String v5 = Fixtures.dir(Fixtures.V5_SHA256_NOCOMPRESS).resolve("bootstrap").toString();
        BlobCacheEntry old = BlobCacheEntry.parse(good.toJson().replace(bootstrap.toString(), v5)
                .replace("\"id\":\"" + FSID + "\"", "\"id\":\"v5\""));
        assertThatThrownBy(() -> entries.add(old)).isInstanceOf(BlobCacheException.class).hasMessageContaining("RAFS v5");
        BlobCacheEntry slash = BlobCacheEntry.parse(good.toJson().replace("\"id\":\"" + FSID + "\"", "\"id\":\"a/b\""));
        assertThatThrownBy(() -> entries.add(slash))
                .isInstanceOfSatisfying(BlobCacheException.class,
                        e -> assertThat(e.kind()).isEqualTo(BlobCacheException.Kind.INVALID));
        assertThat(entries.entries()).containsExactly(good);
    }

    /** Waits for a condition other threads make true; parks briefly between looks. */
    private static void await(java.util.function.BooleanSupplier condition) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not reached within " + WAIT);
            }
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
        }
    }

    @Test
    void theCodecRoundTripsWhatTheFakeKernelSends() throws Exception {
        ByteBuffer b = MessageCodec.encode(new dev.jnydus.fscache.cachefiles.CachefilesMessage.Close(3, 4));
        assertThat(MessageCodec.decode(b)).isEqualTo(new dev.jnydus.fscache.cachefiles.CachefilesMessage.Close(3, 4));
    }
}
