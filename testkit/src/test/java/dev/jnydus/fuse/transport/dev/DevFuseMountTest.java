package dev.jnydus.fuse.transport.dev;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jnydus.common.FsException;
import dev.jnydus.fuse.api.FsOptions;
import dev.jnydus.fuse.server.Negotiated;
import dev.jnydus.fuse.server.Server;
import dev.jnydus.sys.Fd;
import dev.jnydus.sys.Mounts;
import dev.jnydus.sys.Sys;
import dev.jnydus.sys.UnixSockets;
import dev.jnydus.testkit.InMemoryFileSystem;
import dev.jnydus.testkit.Privileged;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mounts the in-memory test tree through /dev/fuse with our server and checks it from userspace:
 * Java file APIs and the usual tools. Needs root and /dev/fuse.
 */
@Tag("privileged")
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DevFuseMountTest {
    @TempDir
    Path tmp;

    private Path mp;
    private InMemoryFileSystem fs;
    private Server server;
    private FuseSession session;
    private FuseWorkers workers;

    @BeforeEach
    void mount() throws IOException {
        Privileged.requireFuse();
        assertThat(openFuseAndEventFds()).as("clean start").isEmpty();
        mp = Files.createDirectory(tmp.resolve("mnt"));
        fs = TestTree.build();
        server = Server.builder(fs).build();
        session = FuseSession.mount(MountOptions.builder(mp).build());
        workers = FuseWorkers.start(session, server, FuseWorkers.DEFAULT_THREADS);
    }

    @AfterEach
    void unmount() throws Exception {
        try {
            if (session != null) {
                session.close();
            }
            if (workers != null) {
                assertThat(workers.awaitTermination(Duration.ofSeconds(10))).as("workers end after unmount").isTrue();
                assertThat(workers.failure()).isNull();
            }
        } finally {
            if (mp != null && mounted(mp)) {
                Mounts.umount2(mp, Mounts.MNT_DETACH);
            }
        }
        assertThat(liveWorkerThreads()).as("no worker thread left").isEmpty();
        assertThat(openFuseAndEventFds()).as("no /dev/fuse or eventfd descriptor left").isEmpty();
    }

    /** Our descriptors that point at /dev/fuse or an eventfd. */
    static List<String> openFuseAndEventFds() throws IOException {
        List<String> found = new ArrayList<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : (Iterable<Path>) fds::iterator) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.equals("/dev/fuse") || target.contains("eventfd")) {
                        found.add(fd.getFileName() + " -> " + target);
                    }
                } catch (IOException gone) {
                    // the directory stream's own descriptor, closed by now
                }
            }
        }
        return found;
    }

    static boolean mounted(Path mp) throws IOException {
        return Files.readAllLines(Path.of("/proc/self/mounts")).stream().anyMatch(l -> l.split(" ")[1].equals(mp.toString()));
    }

    static List<String> liveWorkerThreads() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        List<String> live;
        do {
            live = Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                    .filter(n -> n.startsWith("fuse-worker-")).collect(Collectors.toList());
            if (live.isEmpty()) {
                return live;
            }
            Thread.sleep(20);
        } while (System.nanoTime() < deadline);
        return live;
    }

    static String run(String... cmd) throws IOException, InterruptedException {
        return Privileged.run(cmd);
    }

    @Test
    void mountIsListedWithNydusOptions() throws IOException {
        String line = Files.readAllLines(Path.of("/proc/self/mounts")).stream()
                .filter(l -> l.split(" ")[1].equals(mp.toString())).findFirst().orElseThrow();
        String[] f = line.split(" ");
        assertThat(f[0]).isEqualTo("rafs");
        assertThat(f[2]).isEqualTo("fuse");
        assertThat(Arrays.asList(f[3].split(","))).contains("ro", "nosuid", "nodev", "noatime", "user_id=0",
                "group_id=0", "default_permissions", "allow_other", "max_read=" + MountOptions.DEFAULT_MAX_READ);
        assertThat(session.connectionId()).isPresent();
    }

    @Test
    void initNegotiatedWithTheRealKernel() throws IOException {
        Files.exists(mp.resolve("hello"));
        Negotiated n = server.negotiated().orElseThrow();
        assertThat(n.major()).isEqualTo(7);
        assertThat(n.minor()).isEqualTo(33);
        assertThat(n.enabled().contains(FsOptions.MAX_PAGES | FsOptions.ASYNC_READ | FsOptions.DO_READDIRPLUS
                | FsOptions.PARALLEL_DIROPS | FsOptions.CACHE_SYMLINKS)).as(n.enabled().toString()).isTrue();
        assertThat(n.maxWrite()).isEqualTo(1 << 20);
    }

    @Test
    void filesSymlinksAndDirectoriesReadBack() throws IOException {
        assertThat(Files.readAllBytes(mp.resolve("hello"))).isEqualTo(TestTree.HELLO);
        assertThat(Files.readAllBytes(mp.resolve("big"))).isEqualTo(TestTree.big());
        assertThat(Files.readAllBytes(mp.resolve("dir/empty"))).isEmpty();
        assertThat(Files.readSymbolicLink(mp.resolve("link"))).isEqualTo(Path.of("hello"));
        assertThat(Files.readSymbolicLink(mp.resolve("dir/abs"))).isEqualTo(Path.of("/etc/passwd"));
        assertThat(Files.readAllBytes(mp.resolve("link"))).as("followed").isEqualTo(TestTree.HELLO);
        assertThat(Files.isDirectory(mp.resolve("dir"))).isTrue();
        assertThat(Files.exists(mp.resolve("nope"))).isFalse();
        try (Stream<Path> s = Files.list(mp)) {
            assertThat(s.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder("hello", "big", "sparse", "link", "dir", "many");
        }
    }

    @Test
    void statSeesTheAttributes() throws Exception {
        assertThat(Files.getAttribute(mp.resolve("hello"), "unix:mode")).isEqualTo(0100644);
        assertThat(Files.getAttribute(mp.resolve("hello"), "unix:ino")).isEqualTo(fs.nodeId("/hello"));
        assertThat(Files.size(mp.resolve("sparse"))).isEqualTo(TestTree.SPARSE_SIZE);
        assertThat(run("stat", "-c", "%s %h %a %F %Y %B %b", mp.resolve("hello").toString()).trim())
                .isEqualTo(TestTree.HELLO.length + " 1 644 regular file 1700000000 512 1");
        assertThat(run("stat", "-c", "%h %F", mp.resolve("dir").toString()).trim()).isEqualTo("2 directory");
        assertThat(run("stat", "-f", "-c", "%S %b %c", mp.toString()).trim()).isEqualTo("4096 1000 " + (6 + 3 + 5000));
    }

    @Test
    void aDirectoryOf5000EntriesListsCompletely() throws Exception {
        try (Stream<Path> s = Files.list(mp.resolve("many"))) {
            List<String> names = s.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
            assertThat(names).hasSize(TestTree.MANY);
            assertThat(names.get(0)).isEqualTo("f00000");
            assertThat(names.get(TestTree.MANY - 1)).isEqualTo("f04999");
        }
        String[] ls = run("ls", "-f", mp.resolve("many").toString()).split("\n");
        assertThat(ls).hasSize(TestTree.MANY + 2).contains(".", "..", "f02500");
        assertThat(new String(Files.readAllBytes(mp.resolve("many/f04321")), StandardCharsets.UTF_8)).isEqualTo("4321");
    }

    @Test
    void xattrsThroughGetfattr() throws Exception {
        Privileged.requireTool("getfattr");
        String all = run("getfattr", "--absolute-names", "-d", "-m", "-", mp.resolve("hello").toString());
        assertThat(all).contains("user.color=\"blue\"").contains("user.size=\"42\"");
        assertThat(run("getfattr", "--absolute-names", "--only-values", "-n", "user.color", mp.resolve("hello").toString())).isEqualTo("blue");
        Process p = new ProcessBuilder("getfattr", "-n", "user.none", mp.resolve("hello").toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).isNotZero();
        assertThat(out).contains("No such attribute");
    }

    @Test
    void sparseFileHolesReadAsZerosAndSeekDataHoleIsDelegated() throws Exception {
        try (FileChannel ch = FileChannel.open(mp.resolve("sparse"))) {
            ByteBuffer b = ByteBuffer.allocate(8192);
            ch.read(b, 0);
            assertThat(b.array()).startsWith(TestTree.filled(4096, 'a'));
            assertThat(Arrays.copyOfRange(b.array(), 4096, 8192)).containsOnly(0);
            b.clear();
            ch.read(b, TestTree.SPARSE_SECOND - 4096);
            assertThat(Arrays.copyOfRange(b.array(), 0, 4096)).containsOnly(0);
            assertThat(Arrays.copyOfRange(b.array(), 4096, 8192)).containsOnly('b');
        }
        Privileged.requireTool("python3");
        String script = "import os,sys\n"
                + "fd=os.open(sys.argv[1], os.O_RDONLY)\n"
                + "r=[os.lseek(fd,0,os.SEEK_DATA), os.lseek(fd,0,os.SEEK_HOLE), os.lseek(fd,4096,os.SEEK_DATA),"
                + " os.lseek(fd," + (TestTree.SPARSE_SECOND + 10) + ",os.SEEK_HOLE)]\n"
                + "try:\n  os.lseek(fd," + (TestTree.SPARSE_SECOND + 65536) + ",os.SEEK_DATA); r.append('data')\n"
                + "except OSError as e:\n  r.append(e.errno)\n"
                + "print(' '.join(map(str,r)))\n";
        assertThat(run("python3", "-c", script, mp.resolve("sparse").toString()).trim())
                .isEqualTo("0 4096 " + TestTree.SPARSE_SECOND + " " + (TestTree.SPARSE_SECOND + 65536) + " 6");
    }

    @Test
    void writesAreRefusedAsReadOnly() {
        assertThatThrownBy(() -> Files.writeString(mp.resolve("new"), "x"))
                .isInstanceOf(FileSystemException.class).hasMessageContaining("Read-only file system");
        assertThatThrownBy(() -> Files.write(mp.resolve("hello"), new byte[1], StandardOpenOption.APPEND))
                .isInstanceOf(FileSystemException.class).hasMessageContaining("Read-only file system");
        assertThatThrownBy(() -> Files.createDirectory(mp.resolve("d2")))
                .isInstanceOf(FileSystemException.class).hasMessageContaining("Read-only file system");
    }

    @Test
    void concurrentReadersSeeTheRightBytes() throws Exception {
        byte[] expected = TestTree.big();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                results.add(pool.submit(() -> {
                    int checked = 0;
                    try (FileChannel ch = FileChannel.open(mp.resolve("big"))) {
                        ThreadLocalRandom rnd = ThreadLocalRandom.current();
                        for (int i = 0; i < 200; i++) {
                            int len = 1 + rnd.nextInt(300_000);
                            int off = rnd.nextInt(expected.length - len);
                            ByteBuffer b = ByteBuffer.allocate(len);
                            while (b.hasRemaining()) {
                                if (ch.read(b, off + b.position()) < 0) {
                                    break;
                                }
                            }
                            assertThat(b.array()).isEqualTo(Arrays.copyOfRange(expected, off, off + len));
                            checked++;
                        }
                    }
                    return checked;
                }));
            }
            for (Future<Integer> f : results) {
                assertThat(f.get(60, TimeUnit.SECONDS)).isEqualTo(200);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void unmountEndsTheWorkers() throws Exception {
        assertThat(Files.exists(mp.resolve("hello"))).isTrue();
        session.unmount();
        assertThat(workers.termination().get(10, TimeUnit.SECONDS)).isNull();
        assertThat(mounted(mp)).isFalse();
        assertThat(liveWorkerThreads()).isEmpty();
    }

    @Test
    void workersStopWithoutUnmountAndANewPoolTakesOver() throws Exception {
        assertThat(Files.readAllBytes(mp.resolve("hello"))).isEqualTo(TestTree.HELLO);
        workers.stop();
        assertThat(workers.awaitTermination(Duration.ofSeconds(10))).isTrue();
        assertThat(mounted(mp)).as("stopping workers keeps the mount").isTrue();
        workers = FuseWorkers.start(session, server, 2);
        assertThat(Files.readAllBytes(mp.resolve("dir/empty"))).isEmpty();
        assertThat(Files.readSymbolicLink(mp.resolve("link"))).isEqualTo(Path.of("hello"));
    }

    @Test
    void theSessionFdTravelsOverScmRightsAndAnAdoptedSessionServes() throws Exception {
        assertThat(Files.readAllBytes(mp.resolve("hello"))).isEqualTo(TestTree.HELLO);
        workers.stop();
        assertThat(workers.awaitTermination(Duration.ofSeconds(10))).isTrue();
        Fd[] pair = UnixSockets.socketpair(UnixSockets.SOCK_STREAM);
        FuseSession adopted;
        try (Fd a = pair[0]; Fd b = pair[1]) {
            UnixSockets.sendWithFds(a, ByteBuffer.wrap("state".getBytes(StandardCharsets.UTF_8)), session.fd());
            UnixSockets.Received got = UnixSockets.recvWithFds(b, ByteBuffer.allocate(64), 16);
            assertThat(got.fds()).hasSize(1);
            adopted = FuseSession.adopt(got.fds().get(0), mp, false);
        }
        // The old owner lets go of its descriptor but not of the mount, like an upgraded daemon.
        session.closeKeepingMount();
        session = adopted;
        Server fresh = Server.builder(fs).build();
        workers = FuseWorkers.start(adopted, fresh, 2);
        assertThat(Files.readAllBytes(mp.resolve("many/f00042"))).isEqualTo("42".getBytes(StandardCharsets.UTF_8));
        assertThat(fresh.isInitialized()).as("no INIT after a takeover").isFalse();
        adopted.unmount();
    }

    @Test
    void abortThroughFusectlFailsReadersAndEndsTheWorkers() throws Exception {
        Path connections = Path.of("/sys/fs/fuse/connections");
        Privileged.require(Files.isDirectory(connections), "needs /sys/fs/fuse/connections (fusectl)");
        boolean mountedHere = false;
        if (!mounted(connections)) {
            Mounts.mount("fusectl", connections, "fusectl", 0, null);
            mountedHere = true;
        }
        try {
            assertThat(Files.readAllBytes(mp.resolve("hello"))).isEqualTo(TestTree.HELLO);
            session.abort();
            assertThat(workers.termination().get(10, TimeUnit.SECONDS)).isNull();
            assertThatThrownBy(() -> Files.readAllBytes(mp.resolve("big")))
                    .isInstanceOf(FileSystemException.class).hasMessageContaining("Transport endpoint is not connected");
        } finally {
            if (mountedHere) {
                Mounts.umount2(connections, Mounts.MNT_DETACH);
            }
        }
    }

    @Test
    void aChannelOnANonFuseFdIsRefused() throws Exception {
        Fd[] p = Sys.pipe(0);
        try (Fd r = p[0]; Fd w = p[1]; Waker waker = new Waker()) {
            assertThatThrownBy(() -> DevFuseChannel.dup(r, waker)).isInstanceOf(FsException.class);
        }
    }
}
