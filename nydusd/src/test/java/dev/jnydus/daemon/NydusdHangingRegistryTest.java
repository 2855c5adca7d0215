package dev.jnydus.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jnydus.builder.BuildOptions;
import dev.jnydus.daemon.RegistryMountConfig.Format;
import dev.jnydus.testkit.Privileged;
import dev.jnydus.testkit.registry.HangingProxy;
import dev.jnydus.testkit.registry.RegistryServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A mounted {@code nydusd} whose registry hangs (a proxy in front of it that accepts and never
 * answers) while 16 readers wait for files that are not cached: lookups, listings and reads of
 * cached files must still be served, because the readers wait on the fetch threads, not on the
 * FUSE workers. Once the proxy lets the requests through, every waiting read ends with the file's
 * bytes (or EIO, but only after the configured timeouts).
 */
@Tag("privileged")
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class NydusdHangingRegistryTest {
    private static final String REPO = "jnydus/hanging";
    private static final int FILES = 200;
    private static final int CACHED = 100;
    private static final int READERS = 16;
    private static final int FUSE_THREADS = 4;
    /** Long enough that the test recovers the proxy well before a fetch gives up. */
    private static final long TIMEOUT_SECS = 60;
    private static final Duration WAIT = Duration.ofSeconds(120);

    private static Path work;
    private static Path src;
    private static BuiltImage image;

    private RegistryServer registry;
    private HangingProxy proxy;
    private NydusdProcess daemon;

    @BeforeAll
    static void buildImage() throws Exception {
        Privileged.requireFuse();
        Privileged.requireTool(RegistryServer.BINARY);
        work = Files.createTempDirectory("nydusd-hanging-registry-test");
        src = DistinctFiles.generate(work.resolve("src"), FILES, 23);
        image = BuiltImage.build(src, work, "v6", BuildOptions.defaults());
    }

    @AfterAll
    static void cleanUp() throws Exception {
        if (work != null) {
            Privileged.run("rm", "-rf", work.toString());
        }
    }

    @BeforeEach
    void startRegistry() throws Exception {
        registry = RegistryServer.anonymous().start();
        image.pushTo(registry, REPO);
        proxy = HangingProxy.start(registry.port());
    }

    @AfterEach
    void tearDown() throws Exception {
        try {
            if (proxy != null) {
                proxy.recover();
            }
            if (daemon != null) {
                daemon.close();
            }
        } finally {
            if (proxy != null) {
                proxy.close();
            }
            if (registry != null) {
                registry.close();
            }
        }
    }

    private NydusdProcess mount(String name, Path cfg) throws Exception {
        Path mp = Files.createDirectories(work.resolve(name + "-mnt"));
        return NydusdProcess.mount(work.resolve(name + ".log"), mp, Map.of(), List.of("--mountpoint", mp.toString(),
                "--config", cfg.toString(), "--bootstrap", image.bootstrap().toString(), "--fuse-threads",
                Integer.toString(FUSE_THREADS), "--log-level", "info"));
    }

    /** What one waiting reader ended with: the bytes, or the failure and when it came. */
    private record Outcome(byte[] data, IOException failure, long millis) {
    }

    @Test
    void listingsAndCachedReadsAreServedWhileSixteenReadsWaitOnAHangingRegistry() throws Exception {
        Path cfg = RegistryMountConfig.of(proxy.hostPort(), REPO).network(TIMEOUT_SECS, 5, 0)
                .blobcache(work.resolve("cache")).amplifyIo(0).write(work.resolve("hanging.json"), Format.V2);

        // A first daemon caches the first CACHED files; the second starts with them in the blob
        // cache but not in the page cache, so reading them takes FUSE requests again.
        daemon = mount("warm", cfg);
        for (int i = 0; i < CACHED; i++) {
            DistinctFiles.readAndCompare(daemon.mountpoint(), src, i);
        }
        daemon.stop();
        daemon = mount("hanging", cfg);
        Path mp = daemon.mountpoint();
        // One uncached read while the registry answers: the daemon has talked to it before it
        // hangs, as a daemon that has been serving a while has.
        DistinctFiles.readAndCompare(mp, src, FILES - 1);

        proxy.hang();
        List<CompletableFuture<Outcome>> readers = new ArrayList<>();
        for (int r = 0; r < READERS; r++) {
            Path f = mp.resolve(DistinctFiles.name(CACHED + r));
            CompletableFuture<Outcome> reader = new CompletableFuture<>();
            Thread t = new Thread(() -> {
                long t0 = System.nanoTime();
                try {
                    byte[] b = Files.readAllBytes(f);
                    reader.complete(new Outcome(b, null, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)));
                } catch (IOException e) {
                    reader.complete(new Outcome(null, e, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)));
                }
            }, "uncached-reader-" + r);
            t.setDaemon(true);
            t.start();
            readers.add(reader);
        }
        // As many fetches are stuck as there are FUSE workers: before, that was every worker.
        proxy.awaitHeld(FUSE_THREADS, WAIT);

        long t0 = System.nanoTime();
        CompletableFuture<String> served = CompletableFuture.supplyAsync(() -> {
            try {
                String ls = Privileged.run("ls", "-lR", mp.toString());
                for (int i = 0; i < CACHED; i++) {
                    DistinctFiles.readAndCompare(mp, src, i);
                }
                return ls;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        });
        String ls;
        try {
            // The bound only keeps a failing run from hanging the build (before, with every worker
            // waiting on the registry, this took many times the fetch timeout).
            ls = served.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError("ls -lR and reads of cached files not done after " + WAIT
                    + " while the registry hangs", e);
        }
        long servedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertThat(ls).contains(DistinctFiles.name(0), DistinctFiles.name(FILES - 1));
        assertThat(readers).as("the readers of uncached files still wait").noneMatch(CompletableFuture::isDone);
        assertThat(proxy.held()).as("requests still held by the hanging proxy")
                .isGreaterThanOrEqualTo(FUSE_THREADS)
                .as("fetches in flight are bounded per backend").isLessThanOrEqualTo(RafsInstance.FETCH_THREADS);
        System.out.printf("registry hanging, %d reads waiting, %d requests held: ls -lR and %d cached files in %d ms%n",
                READERS, proxy.held(), CACHED, servedMs);

        proxy.recover();
        int right = 0;
        for (int r = 0; r < READERS; r++) {
            Outcome o = readers.get(r).get(WAIT.toSeconds(), TimeUnit.SECONDS);
            byte[] want = Files.readAllBytes(src.resolve(DistinctFiles.name(CACHED + r)));
            if (o.failure() == null) {
                assertThat(Arrays.equals(o.data(), want)).as("reader %d got the file's bytes", r).isTrue();
                right++;
            } else {
                assertThat(o.failure()).hasMessageContaining("Input/output error");
                assertThat(o.millis()).as("EIO only after the configured timeout").isGreaterThanOrEqualTo(
                        TimeUnit.SECONDS.toMillis(TIMEOUT_SECS));
            }
        }
        System.out.printf("proxy recovered: %d of %d waiting reads got their bytes%n", right, READERS);
        assertThat(daemon.isAlive()).isTrue();
        daemon.stop();
    }
}
