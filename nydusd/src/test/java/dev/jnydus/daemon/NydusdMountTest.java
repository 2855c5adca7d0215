package dev.jnydus.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jnydus.testkit.Privileged;
import dev.jnydus.testkit.TestTrees;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The main job, end to end: the real {@code nydusd} (a child JVM) mounts images over /dev/fuse
 * and ordinary tools read them. Images: the upstream v5 fixture, mkfs.erofs images of the testkit's
 * rich tree (plain, and chunked with a separate blob device read through the blob cache), and a
 * 4 GiB+ sparse file with real holes.
 */
@Tag("privileged")
@Timeout(value = 15, unit = TimeUnit.MINUTES)
class NydusdMountTest {
    /** mkfs.erofs 1.5 (Debian 12) fails on a 255-byte name ("Could not format the device"). */
    private static final TestTrees.Options TREE = TestTrees.Options.defaults().withMaxNameBytes(254);

    private static Path work;
    private static Path src;

    private NydusdProcess daemon;

    @BeforeAll
    static void buildTree() throws Exception {
        Privileged.requireFuse();
        for (String tool : new String[] {"mkfs.erofs", "getfattr", "setfattr", "mknod", "mkfifo", "diff"}) {
            Privileged.requireTool(tool);
        }
        work = Files.createTempDirectory("nydusd-mount-test");
        src = work.resolve("src");
        TestTrees.generate(src, TREE);
    }

    @AfterAll
    static void cleanUp() throws Exception {
        if (work != null) {
            Privileged.run("rm", "-rf", work.toString());
        }
    }

    @AfterEach
    void stopDaemon() throws Exception {
        if (daemon != null) {
            daemon.close();
            daemon = null;
        }
    }

    private Path mount(String name, String... args) throws Exception {
        Path mp = Files.createDirectories(work.resolve("mnt-" + name));
        List<String> all = new ArrayList<>(List.of("--mountpoint", mp.toString(), "--log-level", "info"));
        all.addAll(List.of(args));
        daemon = NydusdProcess.start(work.resolve(name + ".log"), mp, all.toArray(new String[0]));
        daemon.awaitMounted(Duration.ofSeconds(60));
        return mp;
    }

    private int stop() throws Exception {
        daemon.signal("TERM");
        int status = daemon.awaitExit(Duration.ofSeconds(30));
        assertThat(NydusdProcess.isMounted(daemon.mountpoint())).as("unmounted on SIGTERM").isFalse();
        return status;
    }

    private Path lastMountpoint;

    private static String sh(String script) throws IOException, InterruptedException {
        return Privileged.run("bash", "-c", script);
    }

    /** mkfs.erofs, quiet (its progress lines are one per file), with the tail of its output on failure. */
    static void mkfs(String args) throws IOException, InterruptedException {
        sh("mkfs.erofs " + args + " >/dev/null 2>/tmp/mkfs.$$ || { tr '\\r' '\\n' </tmp/mkfs.$$ | tail -3; rm -f /tmp/mkfs.$$; "
                + "exit 1; }; rm -f /tmp/mkfs.$$");
    }

    private void checkRichTree(Path mp) throws Exception {
        TreeCompare.assertSameTree(src, mp);
        // The 5,000-entry directory, listed without stat (readdir after the first batch) and with
        // stat of every entry (readdirplus throughout).
        int many = TREE.bigDirEntries();
        assertThat(sh("ls -f '" + mp + "/bigdir' | wc -l").trim()).isEqualTo(Integer.toString(many + 2));
        String plain = sh("ls -f '" + mp + "/bigdir' | sort");
        assertThat(plain).isEqualTo(sh("ls -f '" + src + "/bigdir' | sort"));
        String withStat = sh("ls -l --time-style=+%s '" + mp + "/bigdir' | tail -n +2");
        assertThat(withStat.split("\n")).hasSize(many);
        assertThat(withStat).isEqualTo(sh("ls -l --time-style=+%s '" + src + "/bigdir' | tail -n +2"));
        try (Stream<Path> s = Files.list(mp.resolve("bigdir"))) {
            assertThat(s.count()).isEqualTo(many);
        }
        // Random reads of the larger files (one all zeros) at odd offsets.
        Random r = new Random(1);
        for (String f : new String[] {"files/size-3145733", "files/size-1048577", "sparse/all-hole"}) {
            byte[] want = Files.readAllBytes(src.resolve(f));
            try (FileChannel ch = FileChannel.open(mp.resolve(f), StandardOpenOption.READ)) {
                for (int i = 0; i < 50; i++) {
                    int off = r.nextInt(want.length);
                    int len = Math.min(want.length - off, 1 + r.nextInt(300_000));
                    ByteBuffer b = ByteBuffer.allocate(len);
                    while (b.hasRemaining() && ch.read(b, off + b.position()) > 0) {
                        // keep reading
                    }
                    assertThat(b.array()).as("%s at %d+%d", f, off, len)
                            .isEqualTo(Arrays.copyOfRange(want, off, off + len));
                }
            }
        }
    }

    @Test
    void plainErofsImageOfTheRichTree() throws Exception {
        Path img = work.resolve("plain.img");
        Path blobs = Files.createDirectories(work.resolve("plain-blobs"));
        mkfs("'" + img + "' '" + src + "'");
        lastMountpoint = mount("plain", "--bootstrap", img.toString(), "--localfs-dir", blobs.toString());
        checkRichTree(lastMountpoint);
        assertThat(stop()).isZero();
    }

    @Test
    void chunkedErofsImageWithABlobDeviceThroughTheBlobCache() throws Exception {
        Path img = work.resolve("chunked.img");
        Path blobs = Files.createDirectories(work.resolve("chunked-blobs"));
        mkfs("--chunksize=1048576 --blobdev='" + blobs.resolve("device1") + "' '" + img + "' '" + src + "'");
        lastMountpoint = mount("chunked", "--bootstrap", img.toString(), "--localfs-dir", blobs.toString(),
                "--fuse-threads", "8");
        checkRichTree(lastMountpoint);
        // Data went through the blob cache into work_dir (--localfs-dir is both).
        try (Stream<Path> s = Files.list(blobs)) {
            assertThat(s.map(p -> p.getFileName().toString())).contains("device1", "device1.blob.data");
        }
        assertThat(stop()).isZero();
    }

    @Test
    void upstreamV5FixtureWithAConfigFile() throws Exception {
        Path fixture = UpstreamFixture.dir();
        Path cfg = work.resolve("v5.json");
        Files.writeString(cfg, "{\"device\":{\"backend\":{\"type\":\"localfs\",\"config\":{\"dir\":\""
                + fixture.resolve("blobs") + "\"}},\"cache\":{\"type\":\"blobcache\",\"config\":{\"work_dir\":\""
                + work.resolve("v5-cache") + "\"}}},\"mode\":\"direct\",\"unknown_key\":[1,2]}");
        lastMountpoint = mount("v5", "--config", cfg.toString(), "--bootstrap", fixture.resolve("bootstrap").toString());
        Path mp = lastMountpoint;
        assertThat(UpstreamFixture.md5sOf(mp)).isEqualTo(UpstreamFixture.md5s());
        assertThat(Files.readSymbolicLink(mp.resolve("symlink-test/test.sh")).toString())
                .isEqualTo("../normal-file-test/test.sh");
        assertThat(Files.getAttribute(mp.resolve("hardlink-test/foo"), "unix:ino"))
                .isEqualTo(Files.getAttribute(mp.resolve("normal-file-test/test.sh"), "unix:ino"));
        assertThat((Long) Files.getAttribute(mp, "unix:ino")).as("upstream's packed root inode")
                .isEqualTo((1L << 56) | 1);
        assertThat(sh("stat -f -c '%b %f %c %l' '" + mp + "'").trim()).isEqualTo("0 0 51 255");
        // Upstream's INIT wishes minus WRITEBACK_CACHE, which on a read-only mount only costs a
        // GETATTR after every close.
        String init = daemon.log().lines().filter(l -> l.contains("FUSE INIT")).findFirst().orElseThrow();
        assertThat(init).contains("NO_OPEN_SUPPORT", "NO_OPENDIR_SUPPORT", "DO_READDIRPLUS", "READDIRPLUS_AUTO",
                "CACHE_SYMLINKS", "MAX_PAGES").doesNotContain("WRITEBACK_CACHE");
        assertThat(stop()).isZero();
    }

    @Test
    void sparseFileLargerThan4GiBReadsCorrectlyPastTheBoundaryAndSeeksOverHoles() throws Exception {
        Path dev = Files.createDirectories(work.resolve("sparse-blobs"));
        Path file = dev.resolve("device1");
        long[][] data = writeSparse(file);
        long size = Files.size(file);
        Path img = work.resolve("sparse.img");
        SingleFileErofs.write(img, "big.sparse", file, 1 << 20, 1668232305L, data);
        Path cfg = work.resolve("sparse.json");
        Files.writeString(cfg, "{\"version\":2,\"backend\":{\"type\":\"localfs\",\"localfs\":{\"dir\":\"" + dev
                + "\"}},\"cache\":{\"type\":\"dummycache\"},\"rafs\":{\"mode\":\"direct\"}}");
        lastMountpoint = mount("sparse", "--config", cfg.toString(), "--bootstrap", img.toString());
        Path f = lastMountpoint.resolve("big.sparse");
        assertThat(Files.size(f)).isEqualTo(size);
        try (FileChannel want = FileChannel.open(file); FileChannel got = FileChannel.open(f)) {
            long[] offsets = {0, 4096 - 10, (4L << 30) - 4096, (4L << 30) - 150, (4L << 30) + 5, (4L << 30) + (1L << 20),
                (4L << 30) + (1L << 20) + 70, size - 70_000, size - 4097, size - 1};
            for (long off : offsets) {
                ByteBuffer a = ByteBuffer.allocate((int) Math.min(200_000, size - off));
                ByteBuffer b = ByteBuffer.allocate(a.capacity());
                while (a.hasRemaining() && want.read(a, off + a.position()) > 0) {
                    // fill
                }
                while (b.hasRemaining() && got.read(b, off + b.position()) > 0) {
                    // fill
                }
                assertThat(b.position()).as("bytes at %d", off).isEqualTo(a.position());
                assertThat(b.array()).as("bytes at %d", off).isEqualTo(a.array());
            }
        }
        assertThat(sh("dd if='" + f + "' bs=4096 skip=" + (((4L << 30) + (1L << 20)) / 4096)
                + " count=17 status=none | md5sum")).isEqualTo(sh("dd if='" + file + "' bs=4096 skip="
                + (((4L << 30) + (1L << 20)) / 4096) + " count=17 status=none | md5sum"));
        // SEEK_DATA / SEEK_HOLE see the holes of the image (1 MiB chunk granularity).
        String seeks = sh("python3 -c \"import os,sys\nfd=os.open(sys.argv[1],os.O_RDONLY)\n"
                + "print(os.lseek(fd,0,os.SEEK_HOLE), os.lseek(fd,5<<20,os.SEEK_DATA), "
                + "os.lseek(fd,(4<<30)+5,os.SEEK_HOLE), os.lseek(fd,(4<<30)+(1<<20)+100,os.SEEK_DATA))\" '" + f + "'");
        assertThat(seeks.trim()).isEqualTo((1L << 20) + " " + ((4L << 30) - (1L << 20)) + " " + ((4L << 30)
                + (2L << 20)) + " " + ((4L << 30) + (1L << 20) + 100));
        assertThat(stop()).isZero();
    }

    /** Writes the 4 GiB+ sparse file with data at its start, around 4 GiB and at its end. */
    private static long[][] writeSparse(Path file) throws IOException {
        long size = (4L << 30) + (3L << 20) + 12345;
        long[][] ranges = {{0, 4096}, {(4L << 30) - 100, 300}, {(4L << 30) + (1L << 20) + 77, 65536},
            {size - 5000, 5000}};
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            Random r = new Random(4);
            for (long[] range : ranges) {
                byte[] b = new byte[(int) range[1]];
                r.nextBytes(b);
                ch.write(ByteBuffer.wrap(b), range[0]);
            }
            ch.truncate(size);
        }
        return ranges;
    }

    static String utf8(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
