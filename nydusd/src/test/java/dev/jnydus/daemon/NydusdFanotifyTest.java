package dev.jnydus.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jnydus.builder.cli.NydusImageCli;
import dev.jnydus.daemon.RegistryMountConfig.Format;
import dev.jnydus.daemon.ctl.ApiClient;
import dev.jnydus.fscache.fanotify.FanotifySupport;
import dev.jnydus.sys.Fd;
import dev.jnydus.sys.PageCache;
import dev.jnydus.sys.Sys;
import dev.jnydus.testkit.Fixtures;
import dev.jnydus.testkit.Privileged;
import dev.jnydus.testkit.TestTrees;
import dev.jnydus.testkit.registry.RegistryServer;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code nydusd --fs-driver fanotify}: images built by {@code nydus-image create}, their blobs
 * served by the real registry, mounted by this kernel's EROFS driver over the blob cache and
 * filled on fanotify pre-content events. Compared with the source tree as a user would (diff,
 * stat, symlinks, hardlinks, xattrs), read again without the registry, read after the daemon was
 * killed, served again by a restarted daemon, and read by fio with verification while cold.
 */
@Tag("privileged")
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class NydusdFanotifyTest {
    private static final String REPO = "jnydus/fanotify";
    private static final String FIO_SIZE = "96M";

    private static Path work;
    private static Path src;
    private static Path boot;
    private static Path fioSrc;
    private static Path fioBoot;
    private static RegistryServer registry;

    private final List<NydusdProcess> daemons = new ArrayList<>();

    @BeforeAll
    static void buildAndPush() throws Exception {
        Privileged.requireRoot();
        for (String tool : new String[] {"getfattr", "diff", "fio", RegistryServer.BINARY}) {
            Privileged.requireTool(tool);
        }
        work = Files.createTempDirectory("nydusd-fanotify-test");
        FanotifySupport.Probe probe = FanotifySupport.probe(work);
        Privileged.require(probe.available(), probe.reason());
        src = TestTrees.generate(work.resolve("src"), TestTrees.Options.defaults().withMaxFileSize(4L * TestTrees.MIB)
                .withRandomFiles(12).withBigDirEntries(500));
        fioSrc = Files.createDirectories(work.resolve("fio-src"));
        Privileged.run("fio", "--name=prepare", "--filename=" + fioSrc.resolve("fio.dat"), "--size=" + FIO_SIZE,
                "--rw=write", "--bs=4k", "--verify=crc32c", "--do_verify=0", "--ioengine=psync", "--output=/dev/null");
        Path blobs = Files.createDirectories(work.resolve("blobs"));
        boot = create(src, "tree.boot", blobs);
        fioBoot = create(fioSrc, "fio.boot", blobs);
        registry = RegistryServer.anonymous().start();
        try (Stream<Path> s = Files.list(blobs)) {
            for (Path b : (Iterable<Path>) s::iterator) {
                assertThat(registry.pushBlob(REPO, b)).isEqualTo(b.getFileName().toString());
            }
        }
    }

    /** {@code nydus-image create --fs-version 6 --compressor zstd}. */
    private static Path create(Path source, String name, Path blobs) {
        Path out = work.resolve(name);
        StringWriter err = new StringWriter();
        int rc = NydusImageCli.run(new String[] {"create", "--fs-version", "6", "--compressor", "zstd", "--bootstrap",
            out.toString(), "--blob-dir", blobs.toString(), source.toString()}, new PrintWriter(new StringWriter(), true),
                new PrintWriter(err, true));
        assertThat(rc).as("nydus-image create: %s", err).isZero();
        return out;
    }

    @AfterAll
    static void cleanUp() throws Exception {
        if (registry != null) {
            registry.close();
        }
        if (work != null) {
            Privileged.run("rm", "-rf", work.toString());
        }
    }

    @AfterEach
    void stopDaemons() throws Exception {
        for (NydusdProcess d : daemons) {
            d.close();
        }
    }

    private Path config(String name) throws IOException {
        return RegistryMountConfig.of(registry, REPO).network(1, 1, 1).blobcache(work.resolve(name + "-cache"))
                .write(work.resolve(name + ".json"), Format.V2);
    }

    /** Starts nydusd in fanotify mode and waits until it serves an EROFS mount at {@code mp}. */
    private NydusdProcess start(String logName, Path image, Path cfg, Path mp, String... more) throws Exception {
        List<String> args = new ArrayList<>(List.of("--fs-driver", "fanotify", "--mountpoint", mp.toString(),
                "--config", cfg.toString(), "--bootstrap", image.toString()));
        args.addAll(List.of(more));
        NydusdProcess d = NydusdProcess.start(work.resolve(logName + ".log"), mp, args.toArray(String[]::new));
        daemons.add(d);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (!d.isAlive()) {
                throw new AssertionError("nydusd exited before serving:\n" + d.log());
            }
            int sock = args.indexOf("--apisock");
            if (d.log().contains("(RUNNING)") && (sock < 0 || Files.exists(Path.of(args.get(sock + 1))))) {
                assertThat(mountEntry(mp)).as("/proc/mounts").isNotNull();
                return d;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("nydusd did not serve " + mp + " within 60 s:\n" + d.log());
    }

    /** The /proc/mounts fields of the mount at {@code mp}: source, target, type, options. */
    private static String[] mountEntry(Path mp) throws IOException {
        String[] found = null;
        for (String line : Files.readAllLines(Path.of("/proc/self/mounts"))) {
            String[] f = line.split(" ");
            if (f.length > 3 && f[1].equals(mp.toString())) {
                found = f;
            }
        }
        return found;
    }

    private static List<Path> regularFiles(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)).sorted().toList();
        }
    }

    /** Evicts every file of the mount from the page cache, so that reads go to the cache files again. */
    private static void dropPageCache(Path root) throws IOException {
        for (Path p : regularFiles(root)) {
            try (Fd fd = Sys.open(p, Sys.O_RDONLY)) {
                PageCache.dropClean(fd);
            }
        }
    }

    private static JsonNode daemonInfo(Path sock) throws IOException {
        try (ApiClient api = ApiClient.connect(sock)) {
            ApiClient.Response r = api.get("/api/v1/daemon");
            assertThat(r.status()).as(r.body()).isEqualTo(200);
            return new ObjectMapper().readTree(r.body());
        }
    }

    /** Pre-content events the daemon has read so far, as its API reports them. */
    private static long events(Path sock) throws IOException {
        JsonNode n = daemonInfo(sock).at("/backend_collection/~1/fanotify/events");
        assertThat(n.isNumber()).as("fanotify events in GET /api/v1/daemon").isTrue();
        return n.asLong();
    }

    @Test
    void anImageFromTheRegistryMountsAsErofsAndStaysReadableWithoutTheRegistryOrTheDaemon() throws Exception {
        Path mp = Files.createDirectories(work.resolve("tree-mnt"));
        Path sock = work.resolve("tree.sock");
        NydusdProcess d = start("tree", boot, config("tree"), mp, "--apisock", sock.toString());
        String[] entry = mountEntry(mp);
        assertThat(entry[2]).as("filesystem type").isEqualTo("erofs");
        assertThat(entry[0]).as("mount source").isEqualTo(boot.toRealPath().toString());
        assertThat(entry[3]).startsWith("ro,").contains("nosuid", "nodev");
        assertThat(d.log()).contains("kernel features: fusedev yes").contains("fanotify yes");

        // The daemon core serves the API as in FUSE mode, and says how it serves.
        JsonNode info = daemonInfo(sock);
        assertThat(info.get("state").asText()).isEqualTo("RUNNING");
        assertThat(info.get("fs_driver").asText()).isEqualTo("fanotify");
        assertThat(info.at("/kernel_features/fanotify/available").asBoolean()).isTrue();
        assertThat(info.at("/kernel_features/fusedev/available").asBoolean()).isTrue();
        assertThat(info.at("/backend_collection/~1/fs_driver").asText()).isEqualTo("fanotify");
        assertThat(info.at("/backend_collection/~1/backend_type").asText()).isEqualTo("Rafs");
        try (ApiClient api = ApiClient.connect(sock)) {
            ApiClient.Response r = api.send("POST", "/api/v1/mount?mountpoint=/b", "{\"fs_type\":\"rafs\",\"source\":\""
                    + boot + "\",\"config\":\"{}\"}");
            assertThat(r.status()).as(r.body()).isEqualTo(501);
            assertThat(r.body()).contains("does not support --fs-driver fanotify");
        }

        long before = registry.blobReads();
        TreeCompare.assertSameTree(src, mp, true);
        long firstRead = registry.blobReads() - before;
        assertThat(firstRead).as("blob reads the registry served").isPositive();
        assertThat(d.log()).as("every chunk was read: the blob's file is complete and unmarked")
                .contains("is complete in the cache");

        // A second full read, with the page cache dropped: nothing from the registry, no events.
        long eventsBefore = events(sock);
        assertThat(eventsBefore).as("events of the first read").isPositive();
        dropPageCache(mp);
        TreeCompare.assertSameTree(src, mp, true);
        assertThat(registry.blobReads() - before).as("blob reads after the second full read").isEqualTo(firstRead);
        assertThat(events(sock) - eventsBefore).as("events of the second full read").isZero();

        // Killed, the daemon leaves the mount; what was filled is read from the cache files.
        d.signal("KILL");
        d.awaitExit(Duration.ofSeconds(30));
        assertThat(mountEntry(mp)).isNotNull();
        dropPageCache(mp);
        TreeCompare.assertSameTree(src, mp, true);
        assertThat(d.log()).doesNotContain(" ERROR ");
    }

    @Test
    void anImageBuiltByUpstreamsNydusImageReadsAsItsListingsSay() throws Exception {
        // Its blob id is not the digest of its blob file, so no registry can serve it: localfs.
        ImageFixture fx = ImageFixture.load(ImageFixture.V6_ZSTD);
        Path cfg = work.resolve("upstream.json");
        Files.writeString(cfg, fx.config(work.resolve("upstream-cache"), "upstream"));
        Path mp = Files.createDirectories(work.resolve("upstream-mnt"));
        Path sock = work.resolve("upstream.sock");
        NydusdProcess d = start("upstream", fx.bootstrap(), cfg, mp, "--apisock", sock.toString());
        assertThat(mountEntry(mp)[2]).isEqualTo("erofs");
        assertMd5s(fx, mp);
        assertThat(events(sock)).as("events of the first read").isPositive();
        // Every entry as the independent listing has it: type, permission bits, links, size, target.
        for (String line : Files.readAllLines(Fixtures.dir(fx.name()).resolve("entries.txt"))) {
            String[] f = line.split(" ");
            String path = f[6];
            Path p = path.equals("/") ? mp : mp.resolve(path.substring(1));
            Map<String, Object> a = Files.readAttributes(p, "unix:mode,nlink,size,isDirectory,isSymbolicLink",
                    LinkOption.NOFOLLOW_LINKS);
            assertThat(f[0]).as("type of %s", path).isEqualTo((Boolean) a.get("isDirectory") ? "d"
                    : (Boolean) a.get("isSymbolicLink") ? "l" : "f");
            if (!path.equals("/")) {
                assertThat(String.format("%04o", (Integer) a.get("mode") & 07777)).as("mode of %s", path).isEqualTo(f[1]);
            }
            assertThat("nlink=" + a.get("nlink")).as("links of %s", path).isEqualTo(f[3]);
            if (!f[0].equals("d")) {
                assertThat("size=" + a.get("size")).as("size of %s", path).isEqualTo(f[5]);
            }
        }
        long eventsBefore = events(sock);
        dropPageCache(mp);
        assertMd5s(fx, mp);
        assertThat(events(sock) - eventsBefore).as("events of the second read").isZero();
        d.stop();
        assertThat(NydusdProcess.isMounted(mp)).isFalse();
    }

    private static void assertMd5s(ImageFixture fx, Path mp) throws Exception {
        for (Map.Entry<String, String> e : fx.md5s().entrySet()) {
            byte[] got = java.security.MessageDigest.getInstance("MD5").digest(
                    Files.readAllBytes(mp.resolve(e.getKey().substring(1))));
            assertThat(java.util.HexFormat.of().formatHex(got)).as("md5 of %s", e.getKey()).isEqualTo(e.getValue());
        }
    }

    @Test
    void aDaemonRestartedAfterAKillServesTheMountItsPredecessorLeft() throws Exception {
        Path mp = Files.createDirectories(work.resolve("restart-mnt"));
        Path cfg = config("restart");
        NydusdProcess first = start("restart-1", boot, cfg, mp);
        List<Path> files = regularFiles(src);
        List<Path> half = files.subList(0, files.size() / 2);
        for (Path f : half) {
            assertThat(Files.readAllBytes(mp.resolve(src.relativize(f).toString()))).isEqualTo(Files.readAllBytes(f));
        }
        first.signal("KILL");
        first.awaitExit(Duration.ofSeconds(30));
        dropPageCache(mp);
        for (Path f : half) {
            assertThat(Files.readAllBytes(mp.resolve(src.relativize(f).toString()))).as("filled before the kill: %s", f)
                    .isEqualTo(Files.readAllBytes(f));
        }

        Path sock = work.resolve("restart.sock");
        NydusdProcess second = start("restart-2", boot, cfg, mp, "--apisock", sock.toString());
        assertThat(second.log()).contains("serving it again");
        TreeCompare.assertSameTree(src, mp, true);
        // A second daemon for the live mount is refused before it touches anything.
        Path log3 = work.resolve("restart-3.log");
        assertThat(NydusdProcess.runToExit(log3, "--fs-driver", "fanotify", "--mountpoint", mp.toString(), "--config",
                cfg.toString(), "--bootstrap", boot.toString(), "--apisock", sock.toString())).isEqualTo(1);
        assertThat(Files.readString(log3)).contains("Error: refusing to mount: ").contains("already served");
        TreeCompare.assertSameTree(src, mp, true);
        // SIGTERM stops through the state machine, which unmounts.
        second.stop();
        assertThat(second.log()).contains("state machine: from RUNNING to READY")
                .contains("state machine: from READY to STOPPED").contains("unmounted " + mp.toRealPath());
        assertThat(NydusdProcess.isMounted(mp)).isFalse();
    }

    @Test
    void fioVerifiesColdSequentialAndRandomReadsAndAFailedFetchIsEioUntilTheRegistryIsBack() throws Exception {
        Path mp = Files.createDirectories(work.resolve("fio-mnt"));
        NydusdProcess d = start("fio", fioBoot, config("fio"), mp);
        Path file = mp.resolve("fio.dat");
        // The file was written in 4 KiB blocks, each with its verify header: every job checks 4 KiB units.
        String out = Privileged.run("fio", "--filename=" + file, "--size=" + FIO_SIZE, "--verify=crc32c",
                "--verify_interval=4k",
                "--ioengine=psync", "--output-format=json", "--group_reporting=0",
                "--name=seq", "--rw=read", "--bs=128k",
                "--name=rand", "--rw=randread", "--bs=4k", "--numjobs=4", "--time_based", "--runtime=15");
        JsonNode jobs = new ObjectMapper().readTree(out.substring(out.indexOf('{'))).get("jobs");
        assertThat(jobs.size()).isEqualTo(5);
        long reads = 0;
        for (JsonNode job : jobs) {
            assertThat(job.get("error").asInt()).as("fio job %s error (a verify failure is EILSEQ)\n%s",
                    job.get("jobname").asText(), out).isZero();
            reads += job.get("read").get("total_ios").asLong();
        }
        assertThat(reads).as("reads done and verified").isGreaterThan(10_000);
        assertThat(d.log()).doesNotContain(" ERROR ");
        d.stop();

        // A cold cache and a registry that is down: EIO, not zeros; then the same read succeeds.
        Path mp2 = Files.createDirectories(work.resolve("down-mnt"));
        NydusdProcess d2 = start("down", boot, config("down"), mp2);
        Path big = null;
        for (Path p : regularFiles(src)) {
            if (big == null || Files.size(p) > Files.size(big)) {
                big = p;
            }
        }
        Path onMount = mp2.resolve(src.relativize(big).toString());
        registry.stop();
        try {
            assertThatThrownBy(() -> Files.readAllBytes(onMount)).isInstanceOf(IOException.class)
                    .hasMessageContaining("Input/output error");
        } finally {
            registry.start();
        }
        assertThat(Files.readAllBytes(onMount)).isEqualTo(Files.readAllBytes(big));
        assertThat(d2.log()).contains("the reader gets EIO");
        d2.stop();
    }

    @Test
    void exitThroughTheApiUnmountsInsteadOfLeavingHolesToReadAsZeros() throws Exception {
        Path mp = Files.createDirectories(work.resolve("exit-mnt"));
        Path sock = work.resolve("exit.sock");
        NydusdProcess d = start("exit", boot, config("exit"), mp, "--apisock", sock.toString());
        try (ApiClient api = ApiClient.connect(sock)) {
            assertThat(api.send("PUT", "/api/v1/daemon/exit", "").status()).isEqualTo(204);
        }
        assertThat(d.awaitExit(Duration.ofSeconds(60))).isZero();
        assertThat(NydusdProcess.isMounted(mp)).as("mounted after exit").isFalse();
        assertThat(d.log()).contains("cannot leave its mount to a successor yet");
    }

    @Test
    void startupRefusesWhatTheKernelCannotServe() throws Exception {
        Path mp = Files.createDirectories(work.resolve("refuse-mnt"));
        Path log = work.resolve("refuse.log");
        Path dummy = work.resolve("dummy.json");
        Files.writeString(dummy, RegistryMountConfig.of(registry, REPO).dummycache().json(Format.V2));
        assertThat(NydusdProcess.runToExit(log, "--fs-driver", "fanotify", "--mountpoint", mp.toString(), "--config",
                dummy.toString(), "--bootstrap", boot.toString())).isEqualTo(1);
        assertThat(Files.readString(log)).contains("Error: --fs-driver fanotify needs cache type blobcache");
        assertThat(NydusdProcess.isMounted(mp)).isFalse();

        // A cache on tmpfs cannot raise pre-content events: one clear line, nothing mounted.
        Path shm = Path.of("/dev/shm");
        if (Files.isDirectory(shm)) {
            Path shmCache = Files.createTempDirectory(shm, "jnydus-fanotify");
            Path cfg = RegistryMountConfig.of(registry, REPO).blobcache(shmCache).write(work.resolve("tmpfs.json"),
                    Format.V2);
            Path log2 = work.resolve("refuse-tmpfs.log");
            try {
                assertThat(NydusdProcess.runToExit(log2, "--fs-driver", "fanotify", "--mountpoint", mp.toString(),
                        "--config", cfg.toString(), "--bootstrap", boot.toString())).isEqualTo(1);
                assertThat(Files.readString(log2)).contains("Error: fs driver fanotify is not available on this kernel: "
                        + "the filesystem holding");
            } finally {
                Privileged.run("rm", "-rf", shmCache.toString());
            }
            assertThat(NydusdProcess.isMounted(mp)).isFalse();
        }
    }
}
