package dev.jnydus.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jnydus.builder.BuildOptions;
import dev.jnydus.common.Compressor;
import dev.jnydus.daemon.RegistryMountConfig.Format;
import dev.jnydus.testkit.Privileged;
import dev.jnydus.testkit.registry.AccessCounts;
import dev.jnydus.testkit.registry.NginxMirror;
import dev.jnydus.testkit.registry.RegistryServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * nginx between a mounted {@code nydusd} and the registry: as a legacy mirror that refuses
 * requests without its header, and as the Dragonfly {@code proxy} with a ping URL. Reads through
 * the mount go through nginx (counted in its access log); nginx stopped while a reader goes over
 * files costs the reader nothing (the origin answers); once nginx is back and a health check
 * passes, reads go through it again.
 *
 * <p>Every file is read once, so each read reaches the backend: no chunk is read twice (the
 * daemon's memory cache and the page cache would answer it), and {@code amplify_io} is 0 so that
 * a read fetches only its own file's chunk.
 */
@Tag("privileged")
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class NydusdMirrorProxyTest {
    private static final String REPO = "jnydus/routing";
    private static final String HEADER = "X-Dragonfly-Registry";
    private static final int FILES = 400;

    private static Path work;
    private static Path src;
    private static BuiltImage v5;
    private static BuiltImage v6;

    private RegistryServer registry;
    private NginxMirror nginx;
    private NydusdProcess daemon;
    private Reader reader;

    @BeforeAll
    static void buildImages() throws Exception {
        Privileged.requireFuse();
        Privileged.requireTool(RegistryServer.BINARY);
        Privileged.requireTool(NginxMirror.BINARY);
        work = Files.createTempDirectory("nydusd-routing-test");
        src = DistinctFiles.generate(work.resolve("src"), FILES, 5);
        v5 = BuiltImage.build(src, work, "v5", BuildOptions.defaults().withFsVersion(5).withCompressor(Compressor.NONE));
        v6 = BuiltImage.build(src, work, "v6", BuildOptions.defaults().withFsVersion(6));
    }

    @AfterAll
    static void cleanUp() throws Exception {
        if (work != null) {
            Privileged.run("rm", "-rf", work.toString());
        }
    }

    @AfterEach
    void tearDown() throws Exception {
        try {
            if (reader != null) {
                reader.stop();
            }
            if (daemon != null) {
                daemon.close();
            }
        } finally {
            if (nginx != null) {
                nginx.close();
            }
            if (registry != null) {
                registry.close();
            }
        }
    }

    private Path mount(String name, BuiltImage image, RegistryMountConfig config, Format format) throws Exception {
        Path cfg = config.write(work.resolve(name + ".json"), format);
        Path mp = Files.createDirectories(work.resolve(name + "-mnt"));
        daemon = NydusdProcess.mount(work.resolve(name + ".log"), mp, Map.of(), List.of("--mountpoint", mp.toString(),
                "--config", cfg.toString(), "--bootstrap", image.bootstrap().toString(), "--log-level", "info"));
        return mp;
    }

    /** Reads the files from {@code next} on, each once, comparing every byte; the first failure is kept. */
    private static final class Reader {
        private final Path mp;
        private final AtomicInteger next;
        private final AtomicInteger done = new AtomicInteger();
        private final AtomicReference<Throwable> failure = new AtomicReference<>();
        private final AtomicBoolean stop = new AtomicBoolean();
        private volatile boolean paused;
        private volatile boolean idle;
        private final Thread thread;

        Reader(Path mp, AtomicInteger next) {
            this.mp = mp;
            this.next = next;
            this.thread = new Thread(this::run, "mount-reader");
            thread.setDaemon(true);
            thread.start();
        }

        private void run() {
            try {
                while (!stop.get()) {
                    if (paused) {
                        idle = true;
                        Thread.sleep(5);
                        continue;
                    }
                    idle = false;
                    int i = next.getAndIncrement();
                    if (i >= FILES) {
                        throw new AssertionError("the reader ran out of unread files");
                    }
                    readAndCompare(mp, i);
                    done.incrementAndGet();
                    Thread.sleep(15);
                }
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            }
        }

        void awaitMore(int n) throws InterruptedException {
            int target = done.get() + n;
            await(() -> done.get() >= target || failure.get() != null, Duration.ofSeconds(60),
                    n + " more reads");
            assertThat(failure.get()).as("reader failure").isNull();
        }

        /** Holds the reader between two files, so that access logs can settle. */
        void pause() throws InterruptedException {
            paused = true;
            await(() -> idle || !thread.isAlive(), Duration.ofSeconds(30), "the reader to pause");
        }

        void resume() {
            idle = false;
            paused = false;
        }

        void stop() throws InterruptedException {
            stop.set(true);
            thread.join(30_000);
        }
    }

    private static void readAndCompare(Path mp, int i) throws Exception {
        DistinctFiles.readAndCompare(mp, src, i);
    }

    private static void await(BooleanSupplier condition, Duration timeout, String what) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(20);
        }
    }

    private void awaitLog(String fragment) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!daemon.log().contains(fragment)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no '" + fragment + "' in the daemon log:\n" + daemon.log());
            }
            Thread.sleep(50);
        }
    }

    /**
     * The common story: reads go through nginx, survive its stop (reaching the origin), and come
     * back to it after the daemon logs {@code backAgain}.
     */
    private void readsSurviveAnOutageAndReturn(Path mp, String wentAway, String backAgain) throws Exception {
        AtomicInteger next = new AtomicInteger();
        long viaNginx = AccessCounts.settled(nginx::blobReads);
        for (int i = 0; i < 20; i++) {
            readAndCompare(mp, next.getAndIncrement());
        }
        // The very first request may settle auth at the origin; the rest go through nginx.
        String log = daemon.log();
        assertThat(AccessCounts.settled(nginx::blobReads) - viaNginx)
                .as(() -> "reads through nginx; the daemon's log:\n" + log).isBetween(19L, 20L);

        reader = new Reader(mp, next);
        reader.awaitMore(10);
        nginx.stop();
        // Unsettled on purpose (the reader goes on): a line still to come only adds to the
        // difference below, which counts reads made after the stop.
        long originBefore = registry.blobReads();
        long nginxDown = nginx.blobReads();
        long stoppedAt = System.nanoTime();
        awaitLog(wentAway);
        long noticedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stoppedAt);
        int readsBeforeStop = reader.done.get();
        reader.awaitMore(20);
        reader.pause();
        assertThat(nginx.blobReads()).as("nothing through nginx while it is down").isEqualTo(nginxDown);
        long originDuringOutage = AccessCounts.settled(registry::blobReads) - originBefore;
        assertThat(originDuringOutage).as("origin reads while nginx is down").isGreaterThanOrEqualTo(20);

        reader.resume();
        nginx.start();
        long restartedAt = System.nanoTime();
        awaitLog(backAgain);
        long backMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - restartedAt);
        reader.awaitMore(10);
        reader.stop();
        System.out.printf("%s: '%s' logged %d ms after the stop; %d origin reads during the outage; '%s' %d ms after"
                + " the restart; the reader read %d files, %d of them after the stop, without an error%n",
                daemon.mountpoint().getFileName(), wentAway, noticedMs, originDuringOutage, backAgain, backMs,
                reader.done.get(), reader.done.get() - readsBeforeStop);
        assertThat(reader.failure.get()).as("the reader never saw an error").isNull();

        long back = AccessCounts.settled(nginx::blobReads);
        for (int i = 0; i < 20; i++) {
            readAndCompare(mp, next.getAndIncrement());
        }
        assertThat(AccessCounts.settled(nginx::blobReads) - back).as("reads through nginx after it recovered")
                .isEqualTo(20);
        assertThat(daemon.isAlive()).isTrue();
        daemon.stop();
    }

    @Test
    void mirrorThatWantsItsHeaderV5WithoutCache() throws Exception {
        registry = RegistryServer.anonymous().start();
        v5.pushTo(registry, REPO);
        String origin = "http://" + registry.hostPort();
        nginx = NginxMirror.mirrorOf(registry, HEADER, origin).start();
        Path mp = mount("mirror", v5, RegistryMountConfig.of(registry, REPO).network(2, 1, 0).dummycache().amplifyIo(0)
                .mirror(nginx, Map.of(HEADER, origin), 1, 1), Format.V1);
        readsSurviveAnOutageAndReturn(mp, "disabled after", "enabled again");
        assertThat(nginx.count(l -> l.contains("/blobs/sha256:") && l.contains("\" 403 "))).as("requests nginx refused")
                .isZero();
    }

    @Test
    void dragonflyProxyWithPingAndFallbackV6WithBlobcache() throws Exception {
        registry = RegistryServer.anonymous().start();
        v6.pushTo(registry, REPO);
        nginx = NginxMirror.forwardProxy("X-Dragonfly-Use-P2P").start();
        Path mp = mount("proxy", v6, RegistryMountConfig.of(registry, REPO).network(2, 1, 0)
                .blobcache(work.resolve("proxy-cache")).amplifyIo(0).proxy(nginx, 1), Format.V2);
        readsSurviveAnOutageAndReturn(mp, "is unhealthy", "is healthy again");
        assertThat(nginx.accessLog()).anyMatch(l -> l.contains("\"GET " + NginxMirror.PING_PATH));
        assertThat(nginx.accessLog()).anyMatch(l -> l.contains("\"GET http://" + registry.hostPort() + "/v2/"));
    }
}
