package dev.jnydus.cache.file;

import static dev.jnydus.cache.file.FakeBlobInfo.chunk;
import static dev.jnydus.cache.file.FakeBlobInfo.info;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jnydus.backend.Sleeper;
import dev.jnydus.cache.device.BlobDevice;
import dev.jnydus.cache.device.BlobIoVec;
import dev.jnydus.cache.device.CacheOptions;
import dev.jnydus.cache.device.CacheType;
import dev.jnydus.common.Compressor;
import dev.jnydus.common.Digester;
import dev.jnydus.common.Errno;
import dev.jnydus.common.FsException;
import dev.jnydus.common.Ticker;
import dev.jnydus.testkit.FakeBlob;
import dev.jnydus.testkit.FlakyBlobBackend;
import dev.jnydus.testkit.FlakyBlobBackend.Fault;
import dev.jnydus.testkit.InMemoryBlobBackend;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A fault at every step of a fetch (before the backend request, in the middle of its body, in
 * decoding, in validation, in the write to the cache file), of every kind a fetch must survive (a
 * runtime exception, an error, an interrupt), under 16 concurrent readers: every read returns the
 * right bytes or EIO, none hangs, no claim is left in the in-flight table, and once the faults stop
 * every file reads right, from the same cache files and after a restart.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class FetchFaultTest {
    private static final int READERS = 16;
    private static final int FAULTS = 6;

    @TempDir
    Path work;

    /** Where the fault strikes. */
    enum Where {
        BEFORE_REQUEST, MID_BODY, DECODE, VALIDATE, STORE;

        FetchProbe.Step step() {
            return switch (this) {
                case DECODE -> FetchProbe.Step.DECODE;
                case VALIDATE -> FetchProbe.Step.VALIDATE;
                case STORE -> FetchProbe.Step.STORE;
                default -> null;
            };
        }
    }

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (Where w : Where.values()) {
            for (Fault f : Fault.values()) {
                for (boolean validate : new boolean[] {false, true}) {
                    if (w == Where.VALIDATE && !validate) {
                        continue;
                    }
                    out.add(Arguments.of(w, f, validate, false));
                    out.add(Arguments.of(w, f, validate, true));
                }
            }
        }
        return out.stream();
    }

    private static FakeBlob blob() {
        FakeBlob.Builder b = FakeBlob.builder().compressor(Compressor.ZSTD).digester(Digester.BLAKE3).chunkSize(64 << 10);
        for (int i = 0; i < 8; i++) {
            b.addFile(FakeBlob.data(i + 1, 150_000 + i * 33_333, i % 3 != 0));
        }
        return b.build();
    }

    private static byte[] fileBytes(FakeBlob b, int f) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (FakeBlob.Chunk c : b.fileChunks(f)) {
            out.writeBytes(b.chunkData(c));
        }
        return out.toByteArray();
    }

    /** The whole file, in two requests split off a chunk boundary (each spanning chunks). */
    private static byte[] readFile(BlobDevice dev, FakeBlob b, int f) throws FsException {
        List<FakeBlob.Chunk> cs = b.fileChunks(f);
        long size = 0;
        for (FakeBlob.Chunk c : cs) {
            size += c.uncompressedSize();
        }
        ByteBuffer dst = ByteBuffer.allocate((int) size);
        long split = size / 2 + 1234;
        dev.read(range(cs, 0, split), dst);
        dev.read(range(cs, split, size - split), dst);
        return dst.array();
    }

    private static BlobIoVec range(List<FakeBlob.Chunk> cs, long offset, long length) {
        BlobIoVec.Builder v = BlobIoVec.builder();
        long fileOff = 0;
        long end = offset + length;
        for (FakeBlob.Chunk c : cs) {
            long cEnd = fileOff + c.uncompressedSize();
            if (cEnd > offset && fileOff < end) {
                int from = (int) (Math.max(offset, fileOff) - fileOff);
                int to = (int) (Math.min(end, cEnd) - fileOff);
                v.add(chunk(c), from, to - from);
            }
            fileOff = cEnd;
        }
        return v.build();
    }

    private FileCacheManager manager(FlakyBlobBackend backend, boolean validate) throws Exception {
        CacheOptions o = CacheOptions.builder(CacheType.BLOBCACHE).workDir(work).digestValidate(validate)
                .memoryCacheBytes(0).build();
        return FileCacheManager.create(o, backend, Ticker.system(), Sleeper.system(), Clock.systemUTC(), Thread::new);
    }

    /** A probe that raises {@code fault} at {@code step}, the first {@code times} times it is reached. */
    private static FetchProbe faultAt(FetchProbe.Step step, Fault fault, int times) {
        AtomicInteger left = new AtomicInteger(times);
        return (s, chunks) -> {
            if (s != step || left.getAndUpdate(v -> v > 0 ? v - 1 : 0) <= 0) {
                return;
            }
            if (fault == Fault.INTERRUPT) {
                // An interrupt arriving during the step: nothing is thrown, the step goes on.
                Thread.currentThread().interrupt();
                return;
            }
            try {
                fault.raise("at " + s);
            } catch (java.io.InterruptedIOException e) {
                throw new IllegalStateException(e);
            }
        };
    }

    /** Outcome counts of one pass: reads with the right bytes, and reads that got EIO. */
    private record Pass(int right, int eio) {
    }

    /** Every reader reads every file, each starting elsewhere; anything but right bytes or EIO fails. */
    private static Pass readEverything(BlobDevice dev, FakeBlob b) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(READERS);
        try {
            List<Future<int[]>> results = new ArrayList<>();
            for (int t = 0; t < READERS; t++) {
                int shift = t;
                results.add(pool.submit(() -> {
                    int[] counts = new int[2];
                    for (int i = 0; i < b.fileCount(); i++) {
                        int f = (i + shift) % b.fileCount();
                        try {
                            byte[] got = readFile(dev, b, f);
                            assertThat(Arrays.equals(got, fileBytes(b, f))).as("bytes of file %d", f).isTrue();
                            counts[0]++;
                        } catch (FsException e) {
                            assertThat(e.errno()).as("errno of a failed read: %s", e).isEqualTo(Errno.EIO);
                            counts[1]++;
                        } finally {
                            // The next request of a worker starts without the last one's interrupt.
                            Thread.interrupted();
                        }
                    }
                    return counts;
                }));
            }
            int right = 0;
            int eio = 0;
            for (Future<int[]> r : results) {
                int[] c = r.get(2, TimeUnit.MINUTES);
                right += c[0];
                eio += c[1];
            }
            return new Pass(right, eio);
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * With {@code streamed}, the backend tells the fetch its bytes as they arrive (as the HTTP
     * backends do): chunks are handed out during the read and readers' fetches run on fetch threads.
     */
    @ParameterizedTest(name = "{1} at {0}, validation {2}, streamed {3}")
    @MethodSource("cases")
    void everyReadIsRightOrEioAndNothingWedges(Where where, Fault fault, boolean validate, boolean streamed)
            throws Exception {
        FakeBlob b = blob();
        FlakyBlobBackend backend = new FlakyBlobBackend(new InMemoryBlobBackend().put(b)).tellsProgress(streamed);
        int total = READERS * b.fileCount();
        try (FileCacheManager mgr = manager(backend, validate); BlobDevice dev = mgr.open(List.of(info(b)))) {
            AtomicInteger reached = new AtomicInteger();
            if (where.step() != null) {
                FetchProbe inject = faultAt(where.step(), fault, FAULTS);
                mgr.probe((s, chunks) -> {
                    if (s == where.step()) {
                        reached.incrementAndGet();
                    }
                    inject.reached(s, chunks);
                });
            } else {
                backend.shortReads(16 << 10).injectFault(fault, where == Where.MID_BODY, FAULTS);
            }
            Pass faulty = readEverything(dev, b);
            assertThat(faulty.right() + faulty.eio()).isEqualTo(total);
            if (where.step() != null) {
                assertThat(reached.get()).as("the step was reached").isGreaterThanOrEqualTo(FAULTS);
            }
            // Streamed, the rest of a range may still be being stored after its readers went on.
            mgr.awaitInflight();
            assertThat(mgr.inflightCount()).as("claims left in flight").isZero();

            mgr.probe(FetchProbe.NONE);
            backend.noFaults();
            Pass clean = readEverything(dev, b);
            assertThat(clean).as("reads once the faults stopped").isEqualTo(new Pass(total, 0));
            mgr.awaitInflight();
            assertThat(mgr.inflightCount()).isZero();
            assertThat(dev.isAllDataReady()).as("every chunk cached").isTrue();
        }
        // A restart over the same cache files: nothing fetched again, every byte right.
        FlakyBlobBackend down = new FlakyBlobBackend(new InMemoryBlobBackend().put(b)).failAll(true);
        try (FileCacheManager mgr = manager(down, validate); BlobDevice dev = mgr.open(List.of(info(b)))) {
            assertThat(readEverything(dev, b)).isEqualTo(new Pass(total, 0));
        }
    }

    /**
     * A fetch that hangs longer than the backend's own budget allows: readers waiting for it get
     * EIO once twice the budget and an allowance have passed; the fetcher itself gets its bytes
     * when the backend answers; nothing is left claimed.
     */
    @Test
    void aWaitForAHungFetchEndsWithEioWithinTheBackendBudget() throws Exception {
        FakeBlob b = blob();
        CountDownLatch gate = new CountDownLatch(1);
        FlakyBlobBackend backend = new FlakyBlobBackend(new InMemoryBlobBackend().put(b))
                .readTimeoutBudget(Duration.ofMillis(200)).holdRequestsUntil(gate);
        try (FileCacheManager mgr = manager(backend, false); BlobDevice dev = mgr.open(List.of(info(b)))) {
            assertThat(mgr.fetchWaitLimit()).isEqualTo(Duration.ofMillis(600));
            ExecutorService pool = Executors.newFixedThreadPool(2);
            try {
                CountDownLatch requested = new CountDownLatch(1);
                mgr.probe((step, chunks) -> {
                    if (step == FetchProbe.Step.REQUEST) {
                        requested.countDown();
                    }
                });
                Future<byte[]> fetcher = pool.submit(() -> readFile(dev, b, 0));
                assertThat(requested.await(1, TimeUnit.MINUTES)).isTrue();
                long t0 = System.nanoTime();
                Future<Object> waiter = pool.submit(() -> {
                    try {
                        return readFile(dev, b, 0);
                    } catch (FsException e) {
                        return e.errno();
                    }
                });
                assertThat(waiter.get(1, TimeUnit.MINUTES)).isEqualTo(Errno.EIO);
                assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(Duration.ofMillis(600));
                assertThat(fetcher.isDone()).as("the fetch itself still waits for the backend").isFalse();
                gate.countDown();
                assertThat(fetcher.get(1, TimeUnit.MINUTES)).isEqualTo(fileBytes(b, 0));
            } finally {
                gate.countDown();
                pool.shutdownNow();
            }
            assertThat(mgr.inflightCount()).isZero();
        }
    }
}
