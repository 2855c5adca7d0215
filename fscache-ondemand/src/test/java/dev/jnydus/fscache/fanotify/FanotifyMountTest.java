package dev.jnydus.fscache.fanotify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jnydus.builder.BuildOptions;
import dev.jnydus.builder.BuildOutputs;
import dev.jnydus.builder.BuildResult;
import dev.jnydus.builder.ImageBuilder;
import dev.jnydus.builder.ImageMerger;
import dev.jnydus.builder.MergeOptions;
import dev.jnydus.common.Compressor;
import dev.jnydus.sys.Fd;
import dev.jnydus.sys.MountInfo;
import dev.jnydus.sys.PageCache;
import dev.jnydus.sys.Sys;
import dev.jnydus.sys.UnixSockets;
import dev.jnydus.testkit.Privileged;
import dev.jnydus.testkit.TestTrees;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * RAFS v6 images built by the project's builder, mounted by this kernel's EROFS driver over the
 * blob cache's sparse data files and filled on fanotify pre-content events, read back by this JVM
 * and by {@code diff}. Needs root, a kernel with FAN_PRE_ACCESS (6.14+) and a temporary directory
 * on a filesystem with pre-content support (ext4 here).
 */
@Tag("privileged")
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class FanotifyMountTest {
    private static Path work;
    private static Path src;
    private static Path boot;
    private static Map<String, byte[]> blobs;
    private static int run;

    private final List<FanotifyStack> stacks = new ArrayList<>();

    @BeforeAll
    static void buildImage() throws Exception {
        Privileged.requireRoot();
        Privileged.requireTool("diff");
        work = Files.createTempDirectory("jnydus-fanotify-test");
        FanotifySupport.Probe probe = FanotifySupport.probe(work);
        Privileged.require(probe.available(), probe.reason());
        src = TestTrees.generate(work.resolve("src"), TestTrees.Options.defaults().withMaxFileSize(6L * TestTrees.MIB)
                .withRandomFiles(10).withBigDirEntries(300));
        Path blobDir = Files.createDirectories(work.resolve("blobs"));
        BuildResult r = new ImageBuilder(BuildOptions.defaults().withFsVersion(6).withCompressor(Compressor.ZSTD), null)
                .create(src, BuildOutputs.toDir(work.resolve("image.boot"), blobDir));
        boot = r.bootstrap();
        blobs = FanotifyStack.blobsOf(blobDir);
    }

    @AfterAll
    static void cleanUp() throws Exception {
        if (work != null) {
            Privileged.run("rm", "-rf", work.toString());
        }
    }

    @AfterEach
    void closeStacks() throws Exception {
        for (FanotifyStack s : stacks) {
            s.close();
        }
    }

    private FanotifyStack start(Path image, Map<String, byte[]> blobSet) throws Exception {
        return start(image, blobSet, b -> b);
    }

    private FanotifyStack start(Path image, Map<String, byte[]> blobSet,
                                java.util.function.UnaryOperator<FanotifyMount.Builder> tweak) throws Exception {
        int n = run++;
        Path mp = Files.createDirectories(work.resolve("mnt" + n));
        FanotifyStack s = FanotifyStack.start(image, blobSet, work.resolve("cache" + n), mp, tweak);
        stacks.add(s);
        return s;
    }

    /** {@code diff -r} of two trees; special files of the same type count as equal (diff cannot compare them). */
    static void assertSameContent(Path expected, Path actual) throws Exception {
        String out = Privileged.run("bash", "-c", "diff -r --no-dereference '" + expected + "' '" + actual
                + "' 2>&1; true");
        List<String> real = new ArrayList<>();
        java.util.regex.Pattern special = java.util.regex.Pattern.compile("File .* is an? (.*) while file .* is an? (.*)");
        for (String l : out.split("\n")) {
            java.util.regex.Matcher m = special.matcher(l);
            if (!l.isBlank() && !(m.matches() && m.group(1).equals(m.group(2)))) {
                real.add(l);
            }
        }
        assertThat(real).as("diff -r").isEmpty();
    }

    static List<Path> regularFiles(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)).sorted().toList();
        }
    }

    /** Evicts the mount's files from the page cache: their next read goes to the cache files again. */
    static void dropPageCache(Path root) throws IOException {
        for (Path p : regularFiles(root)) {
            try (Fd fd = Sys.open(p, Sys.O_RDONLY)) {
                PageCache.dropClean(fd);
            }
        }
    }

    private static Path biggest(Path root) throws IOException {
        Path best = null;
        for (Path p : regularFiles(root)) {
            if (best == null || Files.size(p) > Files.size(best)) {
                best = p;
            }
        }
        return best;
    }

    @Test
    void aColdReadIsByteIdenticalAndAFilledBlobRaisesNoMoreEventsOrFetches() throws Exception {
        FanotifyStack s = start(boot, blobs);
        assertThat(MountInfo.read().top(s.mountpoint.toRealPath())).get()
                .satisfies(e -> assertThat(e.fsType()).isEqualTo("erofs"))
                .satisfies(e -> assertThat(e.source()).isEqualTo(boot.toRealPath().toString()));
        assertThat(s.backend.requestCount()).as("mounting fetches nothing").isZero();

        assertSameContent(src, s.mountpoint);
        FanotifyMetrics cold = s.mount.metrics();
        assertThat(cold.events()).isPositive();
        assertThat(cold.fills()).isPositive();
        assertThat(cold.fillFailures()).isZero();
        assertThat(cold.rejected()).isZero();
        assertThat(cold.completedBlobs()).as("every chunk was read, so the blob is complete").isEqualTo(1);
        int requests = s.backend.requestCount();
        assertThat(requests).isPositive();

        dropPageCache(s.mountpoint);
        assertSameContent(src, s.mountpoint);
        assertThat(s.backend.requestCount()).as("backend requests of the second read").isEqualTo(requests);
        assertThat(s.mount.metrics().events()).as("events of the second read: the mark is gone")
                .isEqualTo(cold.events());

        Path mp = s.mountpoint.toRealPath();
        s.mount.close();
        assertThat(MountInfo.read().top(mp)).as("unmounted at stop").isEmpty();
    }

    @Test
    void rangesAlreadyInTheCacheFileAreAllowedWithoutAFetch() throws Exception {
        FanotifyStack s = start(boot, blobs);
        Path big = biggest(s.mountpoint);
        byte[] want = Files.readAllBytes(src.resolve(s.mountpoint.relativize(big).toString()));
        assertThat(Files.readAllBytes(big)).isEqualTo(want);
        FanotifyMetrics first = s.mount.metrics();
        int requests = s.backend.requestCount();

        try (Fd fd = Sys.open(big, Sys.O_RDONLY)) {
            PageCache.dropClean(fd);
        }
        assertThat(Files.readAllBytes(big)).isEqualTo(want);
        FanotifyMetrics second = s.mount.metrics();
        assertThat(s.backend.requestCount()).isEqualTo(requests);
        assertThat(second.events()).as("a page-cache miss raises events again").isGreaterThan(first.events());
        assertThat(second.allowedFilled()).as("answered from the chunk map").isGreaterThan(first.allowedFilled());
        assertThat(second.fills()).isEqualTo(first.fills());
    }

    @Test
    void aFailedFetchGivesEioAndReadsWorkAgainWhenTheBackendRecovers() throws Exception {
        FanotifyStack s = start(boot, blobs);
        Path big = biggest(s.mountpoint);
        byte[] want = Files.readAllBytes(src.resolve(s.mountpoint.relativize(big).toString()));
        s.flaky.failAll(true);
        assertThatThrownBy(() -> Files.readAllBytes(big)).isInstanceOf(IOException.class)
                .hasMessageContaining("Input/output error");
        assertThat(s.mount.metrics().fillFailures()).isPositive();
        s.flaky.failAll(false);
        assertThat(Files.readAllBytes(big)).isEqualTo(want);
    }

    @Test
    void concurrentRandomReadsOfAColdImageGetTheRightBytes() throws Exception {
        FanotifyStack s = start(boot, blobs, b -> b.threads(3));
        List<Path> files = new ArrayList<>();
        for (Path p : regularFiles(s.mountpoint)) {
            if (Files.size(p) > 100_000) {
                files.add(p);
            }
        }
        assertThat(files).hasSizeGreaterThan(2);
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            List<Future<Integer>> done = new ArrayList<>();
            for (int t = 0; t < 6; t++) {
                long seed = t;
                done.add(pool.submit(() -> {
                    Random r = new Random(seed);
                    int reads = 0;
                    for (int i = 0; i < 150; i++) {
                        Path f = files.get(r.nextInt(files.size()));
                        Path orig = src.resolve(s.mountpoint.relativize(f).toString());
                        long size = Files.size(orig);
                        long off = (long) (r.nextDouble() * size);
                        int len = (int) Math.min(size - off, 1 + r.nextInt(300_000));
                        byte[] got = new byte[len];
                        byte[] want = new byte[len];
                        try (RandomAccessFile a = new RandomAccessFile(f.toFile(), "r");
                             RandomAccessFile b = new RandomAccessFile(orig.toFile(), "r")) {
                            a.seek(off);
                            a.readFully(got);
                            b.seek(off);
                            b.readFully(want);
                        }
                        assertThat(Arrays.equals(got, want)).as("%s at %d+%d", f, off, len).isTrue();
                        reads++;
                    }
                    return reads;
                }));
            }
            for (Future<Integer> f : done) {
                assertThat(f.get(3, TimeUnit.MINUTES)).isEqualTo(150);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(s.mount.metrics().fillFailures()).isZero();
    }

    @Test
    void aMergedImageServesEachBlobFromItsOwnDevice() throws Exception {
        Path lower = TestTrees.generate(work.resolve("lower"), TestTrees.Options.defaults().withSeed(7)
                .withMaxFileSize(3L * TestTrees.MIB).withRandomFiles(6).withBigDirEntries(20));
        Path upper = work.resolve("upper");
        Files.createDirectories(upper.resolve("extra"));
        byte[] data = new byte[5 << 20];
        new Random(3).nextBytes(data);
        Files.write(upper.resolve("extra/upper.bin"), data);
        Path layers = Files.createDirectories(work.resolve("layers"));
        Path layerBlobs = Files.createDirectories(work.resolve("layer-blobs"));
        BuildOptions opts = BuildOptions.defaults().withFsVersion(6).withCompressor(Compressor.LZ4_BLOCK);
        BuildResult l0 = new ImageBuilder(opts, null).create(lower, BuildOutputs.toDir(layers.resolve("0.boot"),
                layerBlobs));
        BuildResult l1 = new ImageBuilder(opts, null).create(upper, BuildOutputs.toDir(layers.resolve("1.boot"),
                layerBlobs));
        Path merged = work.resolve("merged.boot");
        new ImageMerger(MergeOptions.defaults()).merge(List.of(l0.bootstrap(), l1.bootstrap()), merged);

        FanotifyStack s = start(merged, FanotifyStack.blobsOf(layerBlobs));
        assertThat(s.mount.cacheFiles()).hasSize(2);
        assertSameContent(lower.resolve("bigdir"), s.mountpoint.resolve("bigdir"));
        assertThat(Files.readAllBytes(s.mountpoint.resolve("extra/upper.bin"))).isEqualTo(data);
        for (Path p : regularFiles(lower)) {
            Path m = s.mountpoint.resolve(lower.relativize(p).toString());
            assertThat(Files.readAllBytes(m)).as("%s", m).isEqualTo(Files.readAllBytes(p));
        }
        assertThat(s.backend.requestCount(l0.blobIds().get(0))).isPositive();
        assertThat(s.backend.requestCount(l1.blobIds().get(0))).isPositive();
        assertThat(s.mount.metrics().completedBlobs()).isEqualTo(2);
    }

    @Test
    void aBusyMountIsServedThroughTheGraceThenFetchesAreDeniedUntilItIsFree() throws Exception {
        FanotifyStack s = start(boot, blobs, b -> b.stopGrace(Duration.ofMillis(300)));
        Path big = biggest(s.mountpoint);
        CompletableFuture<Void> closed;
        try (RandomAccessFile open = new RandomAccessFile(big.toFile(), "r")) {
            byte[] first = new byte[4096];
            open.readFully(first);
            closed = CompletableFuture.runAsync(() -> {
                try {
                    s.mount.close();
                } catch (InterruptedException e) {
                    throw new RuntimeException(e);
                }
            });
            // While busy the mount stays and is served; after the grace what needs fetching is
            // denied: never zeros. The file's last chunk was never read, so it needs a fetch.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!s.mount.isDenyingFills() && System.nanoTime() < deadline) {
                assertThat(closed).as("close cannot finish while a file is open").isNotDone();
                Thread.sleep(20);
            }
            assertThat(s.mount.isDenyingFills()).as("fetches denied after the grace").isTrue();
            open.seek(Files.size(big) - 4096);
            assertThatThrownBy(() -> open.readFully(new byte[4096])).isInstanceOf(IOException.class)
                    .hasMessageContaining("Input/output error");
            try (Fd fd = Sys.open(big, Sys.O_RDONLY)) {
                PageCache.dropClean(fd);
            }
            assertThat(closed).isNotDone();
            open.seek(0);
            byte[] again = new byte[4096];
            open.readFully(again);
            assertThat(again).as("filled ranges are still served").isEqualTo(first);
        }
        closed.get(60, TimeUnit.SECONDS);
        assertThat(FanotifyStack.isMounted(s.mountpoint)).isFalse();
    }

    @Test
    void aSecondServerTakesOverTheGroupWhileReadersRead() throws Exception {
        FanotifyStack a = start(boot, blobs);
        // The successor opens its storage first, while the first one still serves (its opens of the
        // marked data files then raise events of its own threads, which it allows).
        FanotifyStack b = FanotifyStack.open(boot, blobs, a.cache.options().workDir(), a.mountpoint);
        stacks.add(b);
        List<Path> files = regularFiles(a.mountpoint);
        AtomicBoolean stop = new AtomicBoolean();
        CompletableFuture<Integer> reader = CompletableFuture.supplyAsync(() -> {
            int rounds = 0;
            try {
                while (!stop.get() || rounds == 0) {
                    for (Path f : files) {
                        Path orig = src.resolve(a.mountpoint.relativize(f).toString());
                        if (!Arrays.equals(Files.readAllBytes(f), Files.readAllBytes(orig))) {
                            throw new AssertionError("wrong bytes in " + f);
                        }
                        try (Fd fd = Sys.open(f, Sys.O_RDONLY)) {
                            PageCache.dropClean(fd);
                        }
                    }
                    rounds++;
                }
                return rounds;
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        // Hand over in the middle of the reading, not before it starts.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (a.mount.metrics().events() < 20 && !reader.isDone() && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(a.mount.metrics().events()).as("events the first server answered").isGreaterThanOrEqualTo(20);
        Fd[] pair = UnixSockets.socketpair(UnixSockets.SOCK_STREAM);
        try (Fd left = pair[0]; Fd right = pair[1]) {
            CompletableFuture<FanotifyMount> taken = CompletableFuture.supplyAsync(() -> {
                try {
                    return b.builder().takeOver(right);
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            a.mount.handOver(left, Duration.ofSeconds(30));
            b.mount = taken.get(30, TimeUnit.SECONDS);
        }
        long eventsAtHandover = b.mount.metrics().events();
        stop.set(true);
        assertThat(reader.get(3, TimeUnit.MINUTES)).isPositive();
        a.mount.close();
        assertThat(FanotifyStack.isMounted(a.mountpoint)).as("the first server left the mount to the second").isTrue();
        assertSameContent(src, b.mountpoint);
        assertThat(b.mount.metrics().events()).as("the second server answers events")
                .isGreaterThanOrEqualTo(eventsAtHandover);
        b.mount.close();
        assertThat(FanotifyStack.isMounted(b.mountpoint)).isFalse();
    }
}
