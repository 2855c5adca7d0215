package dev.jnydus.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jnydus.builder.cli.NydusImageCli;
import dev.jnydus.daemon.RegistryMountConfig.Format;
import dev.jnydus.fscache.fanotify.FanotifySupport;
import dev.jnydus.sys.Fd;
import dev.jnydus.sys.PageCache;
import dev.jnydus.sys.Sys;
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
    private NydusdProcess start(String logName, Path image, Path cfg, Path mp) throws Exception {
        NydusdProcess d = NydusdProcess.start(work.resolve(logName + ".log"), mp, "--fs-driver", "fanotify",
                "--mountpoint", mp.toString(), "--config", cfg.toString(), "--bootstrap", image.toString());
        daemons.add(d);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (!d.isAlive()) {
                throw new AssertionError("nydusd exited before serving:\n" + d.log());
            }
            if (d.log().contains("(RUNNING)")) {
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

    @Test
    void anImageFromTheRegistryMountsAsErofsAndStaysReadableWithoutTheRegistryOrTheDaemon() throws Exception {
        Path mp = Files.createDirectories(work.resolve("tree-mnt"));
        NydusdProcess d = start("tree", boot, config("tree"), mp);
        String[] entry = mountEntry(mp);
        assertThat(entry[2]).as("filesystem type").isEqualTo("erofs");
        assertThat(entry[0]).as("mount source").isEqualTo(boot.toRealPath().toString());
        assertThat(entry[3]).startsWith("ro,").contains("nosuid", "nodev");
        assertThat(d.log()).contains("kernel features: fusedev yes").contains("fanotify yes");

        long before = registry.blobReads();
        TreeCompare.assertSameTree(src, mp, true);
        long firstRead = registry.blobReads() - before;
        assertThat(firstRead).as("blob reads the registry served").isPositive();
        assertThat(d.log()).as("every chunk was read: the blob's file is complete and unmarked")
                .contains("is complete in the cache");

        // A second full read, with the page cache dropped: nothing from the registry.
        dropPageCache(mp);
        TreeCompare.assertSameTree(src, mp, true);
        assertThat(registry.blobReads() - before).as("blob reads after the second full read").isEqualTo(firstRead);

        // Killed, the daemon leaves the mount; what was filled is read from the cache files.
        d.signal("KILL");
        d.awaitExit(Duration.ofSeconds(30));
        assertThat(mountEntry(mp)).isNotNull();
        dropPageCache(mp);
        TreeCompare.assertSameTree(src, mp, true);
        assertThat(d.log()).doesNotContain(" ERROR ");
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

        NydusdProcess second = start("restart-2", boot, cfg, mp);
        assertThat(second.log()).contains("serving it again");
        TreeCompare.assertSameTree(src, mp, true);
        second.stop();
        assertThat(second.log()).contains("unmounted " + mp.toRealPath());
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
