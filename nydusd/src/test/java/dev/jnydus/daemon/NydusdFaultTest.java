package dev.jnydus.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jnydus.testkit.Privileged;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What goes wrong around a running {@code nydusd}: missing blobs, unmounts and signals while
 * readers are busy, SIGKILL, and configurations or bootstraps that must stop it before it mounts.
 */
@Tag("privileged")
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class NydusdFaultTest {
    private static final int FILE_SIZE = 32 << 20;

    @TempDir
    Path tmp;

    private Path mp;
    private Path blobs;
    private NydusdProcess daemon;
    private final List<Thread> readers = new ArrayList<>();
    private final AtomicBoolean stopReaders = new AtomicBoolean();

    @BeforeEach
    void setUp() throws IOException {
        Privileged.requireFuse();
        mp = Files.createDirectory(tmp.resolve("mnt"));
        blobs = Files.createDirectory(tmp.resolve("blobs"));
    }

    @AfterEach
    void tearDown() throws Exception {
        stopReaders.set(true);
        for (Thread t : readers) {
            t.join(30_000);
        }
        if (daemon != null) {
            daemon.close();
        }
        assertThat(NydusdProcess.isMounted(mp)).as("nothing left mounted").isFalse();
    }

    /** Two files on two devices: a.bin on "device1", b.bin on "device2", random content. */
    private Path twoFileImage() throws IOException {
        Random r = new Random(9);
        for (String dev : new String[] {"device1", "device2"}) {
            byte[] b = new byte[FILE_SIZE];
            r.nextBytes(b);
            Files.write(blobs.resolve(dev), b);
        }
        Path img = tmp.resolve("two.img");
        SingleFileErofs.write(img, List.of(new SingleFileErofs.Spec("a.bin", blobs.resolve("device1"), null),
                new SingleFileErofs.Spec("b.bin", blobs.resolve("device2"), null)), 1 << 20, 1668232305L);
        return img;
    }

    /**
     * One 16 GiB file, almost all holes (answered by the daemon, never by a blob), so that readers
     * going through it keep asking the daemon instead of the page cache.
     */
    private Path bigSparseImage() throws IOException {
        Path dev = blobs.resolve("device1");
        long size = 16L << 30;
        try (FileChannel ch = FileChannel.open(dev, java.nio.file.StandardOpenOption.CREATE_NEW,
                java.nio.file.StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[] {1, 2, 3}), 0);
            ch.write(ByteBuffer.wrap(new byte[] {4, 5, 6}), size - 3);
        }
        Path img = tmp.resolve("big.img");
        SingleFileErofs.write(img, "big.bin", dev, 1 << 20, 1668232305L, new long[][] {{0, 3}, {size - 3, 3}});
        return img;
    }

    private Path config(String cacheType) throws IOException {
        Path cfg = tmp.resolve("config.json");
        String cache = cacheType.equals("blobcache")
                ? "{\"type\":\"blobcache\",\"filecache\":{\"work_dir\":\"" + tmp.resolve("cache") + "\"}}"
                : "{\"type\":\"dummycache\"}";
        Files.writeString(cfg, "{\"version\":2,\"backend\":{\"type\":\"localfs\",\"localfs\":{\"dir\":\"" + blobs
                + "\"}},\"cache\":" + cache + ",\"rafs\":{\"mode\":\"direct\"}}");
        return cfg;
    }

    private void start(Path img, Path cfg, String... extra) throws Exception {
        List<String> args = new ArrayList<>(List.of("--mountpoint", mp.toString(), "--bootstrap", img.toString(),
                "--config", cfg.toString()));
        args.addAll(List.of(extra));
        daemon = NydusdProcess.start(tmp.resolve("nydusd.log"), mp, args.toArray(new String[0]));
        daemon.awaitMounted(Duration.ofSeconds(60));
    }

    /**
     * Readers that go through a file, each from its own region, until stopped or at its end,
     * counting bytes and keeping the first failure.
     */
    private void startReaders(Path file, int n, AtomicLong bytes, AtomicReference<Throwable> failure) {
        for (int i = 0; i < n; i++) {
            long start = (long) i << 30;
            Thread t = new Thread(() -> {
                ByteBuffer buf = ByteBuffer.allocate(256 << 10);
                try (FileChannel ch = FileChannel.open(file)) {
                    long pos = start;
                    while (!stopReaders.get()) {
                        buf.clear();
                        int got = ch.read(buf, pos);
                        if (got <= 0) {
                            break;
                        }
                        pos += got;
                        bytes.addAndGet(got);
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            }, "reader-" + i);
            t.setDaemon(true);
            readers.add(t);
            t.start();
        }
    }

    @Test
    void aMissingBlobGivesEioAndALogLineNamingItWhileOtherFilesAreServed() throws Exception {
        Path img = twoFileImage();
        byte[] a = Files.readAllBytes(blobs.resolve("device1"));
        Files.move(blobs.resolve("device2"), tmp.resolve("device2.away"));
        start(img, config("dummycache"));

        for (int i = 0; i < 3; i++) {
            assertThatThrownBy(() -> Files.readAllBytes(mp.resolve("b.bin")))
                    .isInstanceOf(IOException.class).hasMessageContaining("Input/output error");
        }
        assertThat(Files.readAllBytes(mp.resolve("a.bin"))).isEqualTo(a);
        assertThat(Files.size(mp.resolve("b.bin"))).as("metadata of the broken file still served").isEqualTo(FILE_SIZE);
        String log = daemon.log();
        assertThat(log).containsPattern("ERROR .*failed to read blob device2");
        assertThat(log.lines().filter(l -> l.contains("failed to read blob device2")).count())
                .as("repeated failures are not logged one by one").isLessThanOrEqualTo(2);

        // The blob comes back: served without a restart.
        Files.move(tmp.resolve("device2.away"), blobs.resolve("device2"));
        assertThat(Files.readAllBytes(mp.resolve("b.bin"))).isEqualTo(Files.readAllBytes(blobs.resolve("device2")));
        assertThat(daemon.isAlive()).isTrue();
        daemon.signal("TERM");
        assertThat(daemon.awaitExit(Duration.ofSeconds(30))).isZero();
    }

    @Test
    void sigtermWhileReadersAreBusyUnmountsAndExitsZero() throws Exception {
        start(bigSparseImage(), config("blobcache"), "--fuse-threads", "2");
        AtomicLong bytes = new AtomicLong();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        startReaders(mp.resolve("big.bin"), 6, bytes, failure);
        waitForBytes(bytes, 64L << 20);

        daemon.signal("TERM");
        assertThat(daemon.awaitExit(Duration.ofSeconds(30))).isZero();
        assertThat(NydusdProcess.isMounted(mp)).isFalse();
        assertThat(daemon.log()).contains("received SIGTERM");
        // The readers were cut off with an error (their files stayed open past the grace), none hangs.
        for (Thread t : readers) {
            t.join(20_000);
            assertThat(t.isAlive()).as("%s ended", t.getName()).isFalse();
        }
        // A read still queued when the connection goes is answered ENOTCONN; one the daemon had
        // taken and not answered ends with ECONNABORTED when the connection is aborted.
        assertThat(failure.get()).isInstanceOf(IOException.class)
                .hasMessageMatching("Transport endpoint is not connected|Software caused connection abort");
        assertThat(daemon.log()).contains("aborting the connection");
    }

    @Test
    void lazyUnmountWhileReadersAreBusyEndsTheDaemonOnceTheyAreDone() throws Exception {
        start(bigSparseImage(), config("dummycache"));
        AtomicLong bytes = new AtomicLong();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        startReaders(mp.resolve("big.bin"), 4, bytes, failure);
        waitForBytes(bytes, 64L << 20);

        Privileged.run("umount", "-l", mp.toString());
        assertThat(NydusdProcess.isMounted(mp)).isFalse();
        long before = bytes.get();
        waitForBytes(bytes, before + (64L << 20));
        assertThat(daemon.isAlive()).as("open files are still served after a lazy unmount").isTrue();
        assertThat(failure.get()).isNull();

        stopReaders.set(true);
        for (Thread t : readers) {
            t.join(20_000);
        }
        assertThat(daemon.awaitExit(Duration.ofSeconds(30))).as("the session ends with its last user").isZero();
        assertThat(failure.get()).isNull();
        assertThat(daemon.log()).contains("FUSE session on " + mp + " ended");
    }

    @Test
    void sigintStopsTheDaemonToo() throws Exception {
        start(twoFileImage(), config("dummycache"));
        assertThat(Files.size(mp.resolve("a.bin"))).isEqualTo(FILE_SIZE);
        daemon.signal("INT");
        assertThat(daemon.awaitExit(Duration.ofSeconds(30))).isZero();
        assertThat(NydusdProcess.isMounted(mp)).isFalse();
    }

    @Test
    void sigkillGivesReadersEnotconnAndNeverAHang() throws Exception {
        start(bigSparseImage(), config("dummycache"));
        AtomicLong bytes = new AtomicLong();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        startReaders(mp.resolve("big.bin"), 3, bytes, failure);
        waitForBytes(bytes, 32L << 20);

        daemon.signal("KILL");
        assertThat(daemon.awaitExit(Duration.ofSeconds(30))).isEqualTo(137);
        for (Thread t : readers) {
            t.join(20_000);
            assertThat(t.isAlive()).as("%s ended", t.getName()).isFalse();
        }
        // A read the daemon had already taken when it died is ended by the kernel's abort of the
        // connection (fuse_abort_conn: ECONNABORTED); reads issued afterwards get ENOTCONN.
        assertThat(failure.get()).isInstanceOf(IOException.class)
                .hasMessageMatching("(?s).*(Transport endpoint is not connected|Software caused connection abort).*");
        CompletableFuture<Throwable> later = CompletableFuture.supplyAsync(() -> {
            try {
                try (FileChannel ch = FileChannel.open(mp.resolve("big.bin"))) {
                    ch.read(ByteBuffer.allocate(4096), 15L << 30);
                }
                return null;
            } catch (Throwable t) {
                return t;
            }
        });
        assertThat(later.get(20, TimeUnit.SECONDS)).hasMessageContaining("Transport endpoint is not connected");
        assertThatThrownBy(() -> Files.list(mp).close()).hasMessageContaining("Transport endpoint is not connected");
    }

    private static void waitForBytes(AtomicLong bytes, long atLeast) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (bytes.get() < atLeast) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("readers read only " + bytes.get() + " bytes");
            }
            Thread.sleep(20);
        }
    }

    // ------------------------------------------------------------------ refused before mounting

    private record Run(int status, String log) {
    }

    private Run refuse(String... args) throws Exception {
        Path log = tmp.resolve("refused-" + System.nanoTime() + ".log");
        List<String> all = new ArrayList<>(List.of("--mountpoint", mp.toString()));
        all.addAll(List.of(args));
        int status = NydusdProcess.runToExit(log, all.toArray(new String[0]));
        assertThat(NydusdProcess.isMounted(mp)).as("nothing mounted").isFalse();
        return new Run(status, Files.readString(log));
    }

    private static String errorLine(Run r) {
        List<String> errors = r.log().lines().filter(l -> l.startsWith("Error: ")).toList();
        assertThat(errors).as("exactly one Error line in:\n%s", r.log()).hasSize(1);
        return errors.get(0);
    }

    @Test
    void badConfigurationsStopTheDaemonWithOneLineNamingTheKey() throws Exception {
        Path bootstrap = UpstreamFixture.bootstrap();
        Path cfg = tmp.resolve("bad.json");

        Files.writeString(cfg, "{\"device\": {\"backend\": ");
        Run r = refuse("--config", cfg.toString(), "--bootstrap", bootstrap.toString());
        assertThat(r.status()).isEqualTo(1);
        assertThat(errorLine(r)).contains("failed to parse configuration information");

        Files.writeString(cfg, "{\"device\":{\"backend\":{\"type\":\"localfs\",\"config\":{\"dir\":42}},"
                + "\"cache\":{\"type\":\"\"}},\"mode\":\"direct\"}");
        r = refuse("--config", cfg.toString(), "--bootstrap", bootstrap.toString());
        assertThat(r.status()).isEqualTo(1);
        assertThat(errorLine(r)).contains("device.backend.config.dir");

        Files.writeString(cfg, "{\"device\":{\"cache\":{\"type\":\"\"}},\"mode\":\"direct\"}");
        r = refuse("--config", cfg.toString(), "--bootstrap", bootstrap.toString());
        assertThat(r.status()).isEqualTo(1);
        assertThat(errorLine(r)).contains("device.backend");

        Files.writeString(cfg, "{\"version\":2,\"backend\":{\"type\":\"localfs\",\"localfs\":{\"dir\":\"" + blobs
                + "\"}},\"cache\":{\"type\":\"dummycache\"},\"rafs\":{\"mode\":\"direct\",\"prefetch\":{\"enable\":true,"
                + "\"threads\":0}}}");
        r = refuse("--config", cfg.toString(), "--bootstrap", bootstrap.toString());
        assertThat(r.status()).isEqualTo(1);
        assertThat(errorLine(r)).contains("threads");
    }

    @Test
    void corruptOrMissingBootstrapsStopTheDaemonBeforeMounting() throws Exception {
        Path cfg = config("dummycache");
        byte[] good = Files.readAllBytes(UpstreamFixture.bootstrap());

        byte[] badMagic = good.clone();
        badMagic[0] ^= 0x5a;
        Path p = tmp.resolve("bad-magic");
        Files.write(p, badMagic);
        Run r = refuse("--config", cfg.toString(), "--bootstrap", p.toString());
        assertThat(r.status()).isEqualTo(1);
        assertThat(errorLine(r)).startsWith("Error: failed to load bootstrap " + p + ": ").contains("magic");

        p = tmp.resolve("truncated");
        Files.write(p, java.util.Arrays.copyOf(good, 9000));
        r = refuse("--config", cfg.toString(), "--bootstrap", p.toString());
        assertThat(r.status()).isEqualTo(1);
        assertThat(errorLine(r)).startsWith("Error: failed to load bootstrap " + p + ": ");

        // A broken inode table entry for the root's first child: found when the root is checked.
        byte[] badTable = good.clone();
        ByteBuffer.wrap(badTable).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(8192 + 4, 0x7fff_ffff);
        p = tmp.resolve("bad-table");
        Files.write(p, badTable);
        r = refuse("--config", cfg.toString(), "--bootstrap", p.toString());
        assertThat(r.status()).isEqualTo(1);
        assertThat(errorLine(r)).startsWith("Error: failed to load bootstrap " + p + ": ");

        r = refuse("--config", cfg.toString(), "--bootstrap", tmp.resolve("absent").toString());
        assertThat(r.status()).isEqualTo(1);
        assertThat(errorLine(r)).contains("no such file");
    }
}
