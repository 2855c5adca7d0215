package dev.jnydus.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jnydus.config.BlobCacheEntry;
import dev.jnydus.daemon.ctl.ApiClient;
import dev.jnydus.fscache.BlobCacheEntries;
import dev.jnydus.fscache.FsCacheService;
import dev.jnydus.fscache.FsCacheStats;
import dev.jnydus.fscache.cachefiles.CacheCuller;
import dev.jnydus.fscache.cachefiles.DevCachefiles;
import dev.jnydus.sys.Mounts;
import dev.jnydus.testkit.registry.AccessCounts;
import dev.jnydus.testkit.registry.RegistryServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The fscache checks that need the kernel's cachefiles, run inside {@code shared/vm/run-in-vm} by
 * {@link NydusdFscacheVmTest}, which built the images on the host. Prints one {@code STEP} line per
 * check with its duration; exits 0 when every check passed.
 *
 * <ol>
 *   <li>In-process service (exact request counts): image A from the registry mounts with
 *   {@code -t erofs -o fsid,domain_id} and reads back byte-exact (diff -r, stat, xattrs, links);
 *   a second full read after dropping caches costs zero READ messages and zero registry requests;
 *   image B shares A's blob in the domain (no second OPEN for it), and stays whole after A is
 *   unmounted and unbound; with the registry down a read of image C fails with EIO, promptly, and
 *   succeeds once the registry is back.</li>
 *   <li>{@code nydusd singleton} processes: the daemon saves its state and device with a
 *   supervisor; through its API socket, as the snapshotter does, image C is bound with
 *   {@code PUT /api/v2/blobs} (the supervisor gets the new state), mounted and read back, its
 *   blob cache and backend metrics read by {@code id=/img-c}, unbound with {@code DELETE} (a second
 *   {@code DELETE} names the missing entry) and its blob's cache file culled with
 *   {@code DELETE ?blob_id=}; a reader blocked on a READ the daemon took is left in flight by
 *   {@code kill -9}; a new daemon with the same command line takes over, reports {@code RUNNING}
 *   and the reader completes with the right bytes; a third daemon is refused with "device
 *   busy".</li>
 * </ol>
 */
public final class FsCacheGuestScenario {
    static final String REPO = "jnydus/fscache";
    static final String DOMAIN = "jnydus-vm";
    private static final Duration WAIT = Duration.ofSeconds(240);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path in;
    private final Path tmp = Path.of("/tmp/fscache-vm");
    private RegistryServer registry;
    private String blobA;
    private String blobC;
    private final List<Path> mounts = new ArrayList<>();

    private FsCacheGuestScenario(Path in) {
        this.in = in;
    }

    public static void main(String[] args) throws Exception {
        FsCacheGuestScenario s = new FsCacheGuestScenario(Path.of(args[0]));
        int status = 1;
        try {
            s.run(args.length > 1 ? args[1] : "all");
            System.out.println("FSCACHE-VM PASSED");
            status = 0;
        } catch (Throwable t) {
            System.out.println("FSCACHE-VM FAILED: " + t);
            t.printStackTrace(System.out);
            s.printDaemonLogs();
        } finally {
            s.cleanUp();
        }
        System.out.flush();
        System.exit(status);
    }

    private void run(String what) throws Exception {
        Files.createDirectories(tmp);
        long t0 = System.nanoTime();
        // The guest is emulated (15-30x slower) and its host may be loaded: give the registry time.
        registry = RegistryServer.anonymous().start(Duration.ofMinutes(5));
        blobA = registry.pushBlob(REPO, blobOf("a"));
        blobC = registry.pushBlob(REPO, blobOf("c"));
        step("registry up, blobs pushed", t0);
        if (what.equals("all") || what.equals("service")) {
            inProcess();
        }
        if (what.equals("all") || what.equals("restore")) {
            failover();
        }
    }

    private Path blobOf(String image) throws IOException {
        try (Stream<Path> s = Files.list(in.resolve("blobs-" + image))) {
            return s.findFirst().orElseThrow();
        }
    }

    // ------------------------------------------------------------------ part 1: the service in process

    private void inProcess() throws Exception {
        Path cache = Files.createDirectories(tmp.resolve("p1/cache"));
        Path work = Files.createDirectories(tmp.resolve("p1/work"));
        // Image B is A's bootstrap under another id: two images of the domain sharing A's blob.
        Files.copy(in.resolve("a.boot"), tmp.resolve("b.boot"));
        long t = System.nanoTime();
        try (SingletonBackends backends = new SingletonBackends();
             BlobCacheEntries entries = new BlobCacheEntries(backends)) {
            entries.add(entry("img-a", in.resolve("a.boot"), work));
            entries.add(entry("img-b", tmp.resolve("b.boot"), work));
            entries.add(entry("img-c", in.resolve("c.boot"), work));
            assertThat(entries.dataBlobCount()).as("A and B share their blob").isEqualTo(2);
            DevCachefiles dev = DevCachefiles.bind(DevCachefiles.DEVICE, cache, Optional.of("jnydus-vm"));
            try (FsCacheService service = FsCacheService.start(dev, entries, 4)) {
                step("service bound /dev/cachefiles", t);

                t = System.nanoTime();
                Path a = mount("img-a");
                assertSameTree("a", a);
                step("image A: diff -r and stat of every entry equal the source", t);

                t = System.nanoTime();
                FsCacheStats before = service.stats();
                long regBefore = AccessCounts.settled(registry::blobReads);
                dropCaches();
                long bytes = readAll(a);
                FsCacheStats after = service.stats();
                assertThat(after.reads()).as("READ messages of the second full read").isEqualTo(before.reads());
                assertThat(AccessCounts.settled(registry::blobReads)).as("registry requests of the second read")
                        .isEqualTo(regBefore);
                step("image A read again (" + bytes + " bytes): 0 READ messages, 0 registry requests (first read: "
                        + before.reads() + " READs, " + regBefore + " registry requests)", t);

                t = System.nanoTime();
                long regBeforeB = AccessCounts.settled(registry::blobReads);
                Path b = mount("img-b");
                assertSameContents("a", b);
                FsCacheStats withB = service.stats();
                assertThat(withB.opens() - after.opens()).as("OPENs for image B: its bootstrap only").isEqualTo(1);
                assertThat(AccessCounts.settled(registry::blobReads)).as("registry requests for image B")
                        .isEqualTo(regBeforeB);
                unmount(a);
                entries.remove(DOMAIN, "img-a");
                assertThat(entries.contains(DOMAIN, blobA)).isTrue();
                dropCaches();
                assertSameContents("a", b);
                step("image B shares A's blob (1 OPEN, 0 registry requests) and reads back after A was unmounted "
                        + "and unbound", t);

                t = System.nanoTime();
                Path c = mount("img-c");
                Path file = largestFile(c);
                registry.kill();
                long start = System.nanoTime();
                CompletableFuture<byte[]> failing = CompletableFuture.supplyAsync(() -> read(file));
                assertThatThrownBy(() -> failing.get(WAIT.toSeconds(), TimeUnit.SECONDS))
                        .isInstanceOf(ExecutionException.class).cause().cause()
                        .isInstanceOf(IOException.class).hasMessageContaining("Input/output error");
                double failedAfter = (System.nanoTime() - start) / 1e9;
                assertThat(service.stats().readFailures()).isPositive();
                registry.start(Duration.ofMinutes(5));
                assertThat(read(file)).isEqualTo(Files.readAllBytes(in.resolve("src-c").resolve(c.relativize(file))));
                step(String.format("registry down: the reader got EIO after %.1f s, not a hang; registry back: the "
                        + "same read succeeds", failedAfter), t);

                t = System.nanoTime();
                long closes = service.stats().closes();
                unmount(c);
                awaitCondition(() -> service.stats().closes() >= closes + 2);
                CacheCuller.Result culled = CacheCuller.cull(dev, cache, blobC);
                assertThat(culled.culled()).as("cache files of C's blob culled").hasSize(1);
                // A's blob is in use by the mount of B: its object is still an unnamed file (or, if
                // it had been linked by an earlier mount, cachefiles answers inuse with EBUSY).
                CacheCuller.Result busy = CacheCuller.cull(dev, cache, blobA);
                assertThat(busy.culled()).as("A's blob, in use by the mount of B").isEmpty();
                dropCaches();
                assertSameContents("a", b);
                step("cull: C's unused blob file moved to the graveyard; A's, in use through B, left alone", t);
                unmount(b);
            }
        }
    }

    /** A bootstrap entry of the domain, its blobs served by the registry, as the snapshotter binds one. */
    private BlobCacheEntry entry(String id, Path boot, Path work) throws Exception {
        return BlobCacheEntry.parse(entryJson(id, boot, work));
    }

    private String entryJson(String id, Path boot, Path work) {
        return "{\"type\":\"bootstrap\",\"id\":\"" + id + "\",\"domain_id\":\"" + DOMAIN + "\","
                + "\"config_v2\":{\"version\":2,\"id\":\"" + id + "\","
                + "\"backend\":{\"type\":\"registry\",\"registry\":{\"scheme\":\"http\",\"host\":\""
                + registry.hostPort() + "\",\"repo\":\"" + REPO + "\",\"timeout\":60,\"connect_timeout\":5}},"
                + "\"cache\":{\"type\":\"fscache\",\"fscache\":{\"work_dir\":\"" + work + "\"}},"
                + "\"metadata_path\":\"" + boot + "\"}}";
    }

    // ------------------------------------------------------------------ part 2: failover

    private void failover() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("p2"));
        Path cache = Files.createDirectories(dir.resolve("cache"));
        Path work = Files.createDirectories(dir.resolve("work"));
        Path cfg = Files.writeString(dir.resolve("singleton.json"),
                "{\"blobs\":[" + entryJson("img-a", in.resolve("a.boot"), work) + "]}");
        Path sock = dir.resolve("supervisor.sock");
        Path apiSock = dir.resolve("api.sock");
        List<String> args = List.of("singleton", "--fscache", cache.toString(), "--fscache-threads", "2",
                "--config", cfg.toString(), "--supervisor", sock.toString(), "--id", "fscache-vm",
                "--apisock", apiSock.toString(), "--log-level", "debug");
        try (TestSupervisor sup = new TestSupervisor(sock)) {
            long t = System.nanoTime();
            CompletableFuture<byte[]> saved = sup.expectSave();
            // Part 1's cache goes when the kernel has released its objects, which the emulated guest
            // may not have done yet: a daemon started before then is refused ("busy") and exits.
            awaitDeviceFree();
            NydusdProcess d1 = NydusdProcess.start(dir.resolve("d1.log"), null, args.toArray(new String[0]));
            try {
                String state = new String(awaitWhileAlive(d1, saved), StandardCharsets.UTF_8);
                assertThat(state).contains("\"img-a\"");
                awaitLog(d1, 0, "(RUNNING)");
                Path a = mount("img-a");
                Path big = largestFile(a);
                byte[] want = Files.readAllBytes(in.resolve("src-a").resolve(a.relativize(big)));
                step("nydusd singleton serves image A and saved its state with the supervisor", t);

                t = System.nanoTime();
                bindThroughTheApi(d1, apiSock, sup, cache, work);
                step("API: image C bound with PUT /api/v2/blobs (state saved), read back, its metrics by "
                        + "id=/img-c, unbound with DELETE, its blob's cache file culled", t);

                t = System.nanoTime();
                registry.freeze();
                int mark = d1.log().length();
                CompletableFuture<byte[]> reader = CompletableFuture.supplyAsync(() -> read(big));
                awaitLog(d1, mark, "of " + DOMAIN + "/" + blobA);
                d1.signal("KILL");
                d1.awaitExit(WAIT);
                assertThat(reader.isDone()).as("the reader is still blocked").isFalse();
                CompletableFuture<Void> handed = sup.expectTakeover();
                registry.thaw();
                try (NydusdProcess d2 = NydusdProcess.start(dir.resolve("d2.log"), null,
                        args.toArray(new String[0]))) {
                    awaitWhileAlive(d2, handed);
                    byte[] got = reader.get(WAIT.toSeconds(), TimeUnit.SECONDS);
                    assertThat(got).as("bytes of %s read across the kill", big).isEqualTo(want);
                    awaitLog(d2, 0, "took over the fscache device");
                    awaitLog(d2, 0, "from INIT to READY, input [Takeover]");
                    try (ApiClient api = connect(d2, apiSock)) {
                        assertThat(json(api.get("/api/v1/daemon"), 200).get("state").asText()).isEqualTo("RUNNING");
                        assertThat(json(api.get("/api/v1/metrics/blobcache?id=/img-a"), 200).get("store_path")
                                .asText()).isEqualTo(work.toString());
                    }
                    step("kill -9 with a READ in flight; the new daemon took over, the blocked reader completed "
                            + "byte-exact", t);

                    t = System.nanoTime();
                    assertSameContents("a", a);
                    try (NydusdProcess d3 = NydusdProcess.start(dir.resolve("d3.log"), null, "singleton",
                            "--fscache", Files.createDirectories(dir.resolve("other")).toString())) {
                        assertThat(d3.awaitExit(WAIT)).as("exit status of a second daemon").isEqualTo(1);
                    }
                    assertThat(Files.readString(dir.resolve("d3.log"))).contains("Error: /dev/cachefiles is busy");
                    unmount(a);
                    d2.signal("TERM");
                    assertThat(d2.awaitExit(WAIT)).as("exit status on SIGTERM").isZero();
                    assertThat(d2.log()).contains("from RUNNING to READY, input [Stop]",
                            "from READY to STOPPED, input [Stop]");
                    step("after takeover: image A reads back whole; a second daemon is refused (device busy); "
                            + "SIGTERM exits 0", t);
                }
            } finally {
                d1.close();
            }
        }
    }

    /**
     * Binds image C through the daemon's API as the snapshotter does, reads it, reads its metrics,
     * unbinds it and culls its blob's cache file; each bind and unbind hands the new state to the
     * supervisor.
     */
    private void bindThroughTheApi(NydusdProcess d, Path apiSock, TestSupervisor sup, Path cache, Path work)
            throws Exception {
        try (ApiClient api = connect(d, apiSock)) {
            JsonNode info = json(api.get("/api/v1/daemon"), 200);
            assertThat(info.get("state").asText()).isEqualTo("RUNNING");
            assertThat(info.get("id").asText()).isEqualTo("fscache-vm");

            CompletableFuture<byte[]> bound = sup.expectSave();
            ApiClient.Response put = api.send("PUT", "/api/v2/blobs", entryJson("img-c", in.resolve("c.boot"), work));
            assertThat(put.status()).as(put.body()).isEqualTo(204);
            assertThat(new String(TestSupervisor.await(bound, WAIT), StandardCharsets.UTF_8))
                    .contains("\"img-a\"", "\"img-c\"");
            Path c = mount("img-c");
            assertSameContents("c", c);
            JsonNode cacheMetrics = json(api.get("/api/v1/metrics/blobcache?id=/img-c"), 200);
            assertThat(cacheMetrics.get("store_path").asText()).isEqualTo(work.toString());
            assertThat(cacheMetrics.get("total").asLong()).as("chunk requests of image C").isPositive();
            JsonNode backend = json(api.get("/api/v1/metrics/backend?id=/img-c"), 200);
            assertThat(backend.get("backend_type").asText()).isEqualTo("registry");
            assertThat(backend.get("read_count").asLong()).as("registry reads of image C").isPositive();
            unmount(c);

            CompletableFuture<byte[]> unbound = sup.expectSave();
            ApiClient.Response del = api.send("DELETE", "/api/v2/blobs?domain_id=" + DOMAIN + "&blob_id=img-c", null);
            assertThat(del.status()).as(del.body()).isEqualTo(204);
            assertThat(new String(TestSupervisor.await(unbound, WAIT), StandardCharsets.UTF_8))
                    .contains("\"img-a\"").doesNotContain("\"img-c\"");
            ApiClient.Response again = api.send("DELETE", "/api/v2/blobs?domain_id=" + DOMAIN + "&blob_id=img-c", null);
            assertThat(again.status()).isEqualTo(500);
            assertThat(json(again, 500).get("message").asText()).contains("blob_cache: cache entry not found");

            // Once the kernel has released C's objects, its blob's file is in the cache tree and
            // nothing uses it: the cull succeeds and the file goes.
            awaitCondition(() -> cacheFile(cache, blobC).isPresent());
            awaitCondition(() -> {
                try {
                    return api.send("DELETE", "/api/v2/blobs?blob_id=" + blobC, null).status() == 204;
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            assertThat(cacheFile(cache, blobC)).as("C's blob culled").isEmpty();
        }
    }

    /** The cache file of {@code cookie} in the kernel's cache tree ({@code DIR/cache/Ierofs,.../@xx/D<cookie>}). */
    private static Optional<Path> cacheFile(Path fscacheDir, String cookie) {
        try (Stream<Path> s = Files.walk(fscacheDir.resolve("cache"))) {
            return s.filter(p -> p.getFileName().toString().equals("D" + cookie)).findFirst();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** A connection to the daemon's API once it answers (a predecessor's socket file may still be there). */
    private static ApiClient connect(NydusdProcess d, Path apiSock) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            if (Files.exists(apiSock, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                try {
                    ApiClient api = ApiClient.connect(apiSock);
                    if (api.get("/api/v1/daemon").status() == 200) {
                        return api;
                    }
                    api.close();
                } catch (IOException e) {
                    // not listening yet
                }
            }
            if (!d.isAlive()) {
                throw new AssertionError("nydusd exited before serving its API:\n" + d.log());
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no API on " + apiSock + " within " + WAIT + ":\n" + d.log());
            }
            java.util.concurrent.locks.LockSupport.parkNanos(50_000_000);
        }
    }

    private static JsonNode json(ApiClient.Response r, int status) throws IOException {
        assertThat(r.status()).as(r.body()).isEqualTo(status);
        return JSON.readTree(r.body());
    }

    private static void awaitCondition(java.util.function.BooleanSupplier condition) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not reached within " + WAIT);
            }
            java.util.concurrent.locks.LockSupport.parkNanos(10_000_000);
        }
    }

    /** {@code f}'s value, failing at once with the daemon's log should it exit first. */
    private static <T> T awaitWhileAlive(NydusdProcess d, CompletableFuture<T> f) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            try {
                return f.get(50, TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.TimeoutException notYet) {
                if (!d.isAlive()) {
                    throw new AssertionError("nydusd exited (status " + d.awaitExit(WAIT) + ") first:\n" + d.log());
                }
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("nothing within " + WAIT + "; nydusd's log:\n" + d.log());
                }
            }
        }
    }

    /** Waits until {@code /dev/cachefiles} can be opened: no other holder, no cache still being withdrawn. */
    private static void awaitDeviceFree() throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            try (var probe = Files.newByteChannel(Path.of("/dev/cachefiles"), java.nio.file.StandardOpenOption.READ,
                    java.nio.file.StandardOpenOption.WRITE)) {
                return;
            } catch (IOException busy) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("/dev/cachefiles still busy after " + WAIT + ": " + busy);
                }
                java.util.concurrent.locks.LockSupport.parkNanos(100_000_000);
            }
        }
    }

    /** Waits until the daemon's log, from character {@code from} on, contains {@code text}. */
    private static void awaitLog(NydusdProcess d, int from, String text) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            String log = d.log();
            if (log.length() > from && log.substring(from).contains(text)) {
                return;
            }
            if (!d.isAlive()) {
                throw new AssertionError("nydusd exited before logging '" + text + "':\n" + log);
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("nydusd did not log '" + text + "' within " + WAIT + ":\n" + log);
            }
            java.util.concurrent.locks.LockSupport.parkNanos(50_000_000);
        }
    }

    // ------------------------------------------------------------------ helpers

    /**
     * diff -r, stat, links and xattrs of a mount against its source; the source's xattrs as listed
     * on the host (9p hides its {@code trusted.} ones from the guest). The image's root keeps the
     * builder's mtime 0.
     */
    /** Every regular file of the mount has the content the host listed for the source ({@code src-X.md5}). */
    private void assertSameContents(String image, Path mnt) throws Exception {
        java.util.Map<String, String> want = new java.util.TreeMap<>();
        for (String line : Files.readAllLines(in.resolve("src-" + image + ".md5"), StandardCharsets.UTF_8)) {
            int sp = line.indexOf(' ');
            want.put(line.substring(sp + 1), line.substring(0, sp));
        }
        assertThat(md5s(mnt)).as("md5 of every regular file of %s", mnt).isEqualTo(want);
    }

    /** Relative path (of each regular file) to its md5, hex. */
    static java.util.Map<String, String> md5s(Path root) throws Exception {
        java.util.Map<String, String> out = new java.util.TreeMap<>();
        for (Path p : TreeCompare.walk(root)) {
            if (Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                java.security.MessageDigest md = java.security.MessageDigest.getInstance("MD5");
                out.put(root.relativize(p).toString(), java.util.HexFormat.of().formatHex(md.digest(Files.readAllBytes(p))));
            }
        }
        return out;
    }

    private void assertSameTree(String image, Path mnt) throws Exception {
        String listing = Files.readString(in.resolve("src-" + image + ".xattrs"), StandardCharsets.UTF_8);
        TreeCompare.assertSameTree(in.resolve("src-" + image), mnt, true, TreeCompare.parseXattrs(listing));
    }

    private Path mount(String fsid) throws IOException {
        Path mp = Files.createDirectories(tmp.resolve("mnt-" + fsid));
        Mounts.mount("none", mp, "erofs", Mounts.MS_RDONLY, "fsid=" + fsid + ",domain_id=" + DOMAIN);
        mounts.add(mp);
        return mp;
    }

    private void unmount(Path mp) throws IOException {
        Mounts.umount2(mp, 0);
        mounts.remove(mp);
    }

    static void dropCaches() throws IOException {
        Files.writeString(Path.of("/proc/sys/vm/drop_caches"), "3", StandardCharsets.US_ASCII);
    }

    static long readAll(Path root) throws IOException {
        long n = 0;
        for (Path p : TreeCompare.walk(root)) {
            if (Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                n += Files.readAllBytes(p).length;
            }
        }
        return n;
    }

    static Path largestFile(Path root) throws IOException {
        return TreeCompare.walk(root).stream()
                .filter(p -> Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS))
                .max(Comparator.comparingLong(p -> p.toFile().length())).orElseThrow();
    }

    private static byte[] read(Path p) {
        try {
            return Files.readAllBytes(p);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void step(String what, long startNanos) {
        System.out.printf("STEP %6.1f s  %s%n", (System.nanoTime() - startNanos) / 1e9, what);
        System.out.flush();
    }

    /** The guest's files go with it: the daemons' logs are printed for the host to keep. */
    private void printDaemonLogs() {
        try (Stream<Path> logs = Files.walk(tmp)) {
            for (Path log : (Iterable<Path>) logs.filter(p -> p.toString().endsWith(".log")).sorted()::iterator) {
                List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
                System.out.println("---- " + log + " (last 60 of " + lines.size() + " lines)");
                lines.subList(Math.max(0, lines.size() - 60), lines.size()).forEach(System.out::println);
            }
        } catch (IOException | RuntimeException e) {
            System.out.println("daemon logs unreadable: " + e);
        }
    }

    private void cleanUp() {
        for (Path mp : List.copyOf(mounts)) {
            try {
                Mounts.umount2(mp, Mounts.MNT_DETACH);
            } catch (IOException e) {
                System.out.println("cleanup: umount " + mp + ": " + e.getMessage());
            }
        }
        if (registry != null) {
            registry.close();
        }
    }
}
