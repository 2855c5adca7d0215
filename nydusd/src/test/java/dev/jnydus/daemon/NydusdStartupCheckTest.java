package dev.jnydus.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jnydus.sys.MountInfo;
import dev.jnydus.testkit.Privileged;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input at start is one clean error: exit status 1, exactly one {@code Error:} line, no Java
 * stack trace, nothing mounted, and no hang. Each case here once ended otherwise (an
 * OutOfMemoryError, a stack trace before the error, a daemon blocked forever, a mount over a file
 * or over a served mount, a password in the message).
 */
@Tag("privileged")
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class NydusdStartupCheckTest {
    /** Offsets in the upstream v5 fixture: its blob table and extended blob table (one blob). */
    private static final int BLOB_TABLE = 0x20d8;
    private static final int EXT_TABLE = 0x2120;
    private static final String PASSWORD = "pr0xy-s3cret";

    @TempDir
    Path tmp;

    private Path mp;
    private Path cfg;
    private final List<NydusdProcess> daemons = new ArrayList<>();

    @BeforeEach
    void setUp() throws IOException {
        Privileged.requireFuse();
        mp = Files.createDirectory(tmp.resolve("mnt"));
        cfg = writeConfig("{\"type\":\"blobcache\",\"filecache\":{\"work_dir\":\"" + tmp.resolve("cache") + "\"}}",
                "{\"mode\":\"direct\"}");
    }

    @AfterEach
    void tearDown() throws Exception {
        for (NydusdProcess d : daemons) {
            d.close();
        }
        assertThat(NydusdProcess.isMounted(mp)).as("nothing left mounted").isFalse();
    }

    private Path writeConfig(String cache, String rafs) throws IOException {
        return Files.writeString(tmp.resolve("config-" + System.nanoTime() + ".json"), "{\"version\":2,\"backend\":"
                + "{\"type\":\"localfs\",\"localfs\":{\"dir\":\"" + UpstreamFixture.blob().getParent() + "\"}},"
                + "\"cache\":" + cache + ",\"rafs\":" + rafs + "}");
    }

    private record Run(int status, String log) {
        /** The one Error line, after checking the run failed cleanly. */
        String cleanError() {
            assertThat(status).as("exit status, log:\n%s", log).isEqualTo(1);
            List<String> errors = log.lines().filter(l -> l.startsWith("Error: ")).toList();
            assertThat(errors).as("exactly one Error line in:\n%s", log).hasSize(1);
            assertThat(log).as("no stack trace").doesNotContain("\tat ").doesNotContain("Exception in thread")
                    .doesNotContain("OutOfMemoryError");
            return errors.get(0);
        }
    }

    private Run run(String... args) throws Exception {
        Path log = tmp.resolve("run-" + System.nanoTime() + ".log");
        int status = NydusdProcess.runToExit(log, args);
        assertThat(NydusdProcess.isMounted(mp)).as("nothing mounted").isFalse();
        return new Run(status, Files.readString(log, StandardCharsets.UTF_8));
    }

    /** Runs with {@code --mountpoint mp --config cfg} and the bootstrap. */
    private Run mount(Path bootstrap, String... extra) throws Exception {
        List<String> args = new ArrayList<>(List.of("--mountpoint", mp.toString(), "--config", cfg.toString(),
                "--bootstrap", bootstrap.toString()));
        args.addAll(List.of(extra));
        return run(args.toArray(new String[0]));
    }

    /** The upstream v5 fixture with {@code edit} applied (little-endian view of the bytes). */
    private Path v5(String name, Consumer<ByteBuffer> edit) throws IOException {
        byte[] b = Files.readAllBytes(UpstreamFixture.bootstrap());
        edit.accept(ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN));
        return Files.write(tmp.resolve(name), b);
    }

    /**
     * The fixture with a blob table of {@code n} blobs: its own first, then made-up ones claiming
     * {@code chunks} chunks each (tables appended at the end of the file).
     */
    private Path v5WithBlobs(String name, int n, int chunks) throws IOException {
        byte[] good = Files.readAllBytes(UpstreamFixture.bootstrap());
        int tableAt = (good.length + 7) & ~7;
        ByteBuffer table = ByteBuffer.allocate(n * 73).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            table.putInt(0).putInt(0).put((i == 0 ? UpstreamFixture.BLOB_ID : String.format("%064x", i + 1))
                    .getBytes(StandardCharsets.US_ASCII));
            if (i < n - 1) {
                table.put((byte) 0);
            }
        }
        int tableSize = table.position();
        int extAt = (tableAt + tableSize + 7) & ~7;
        ByteBuffer b = ByteBuffer.wrap(java.util.Arrays.copyOf(good, extAt + 64 * n)).order(ByteOrder.LITTLE_ENDIAN);
        b.put(tableAt, table.array(), 0, tableSize);
        long ownSize = ByteBuffer.wrap(good).order(ByteOrder.LITTLE_ENDIAN).getLong(EXT_TABLE + 8);
        for (int i = 0; i < n; i++) {
            int e = extAt + 64 * i;
            b.putInt(e, i == 0 ? ByteBuffer.wrap(good).order(ByteOrder.LITTLE_ENDIAN).getInt(EXT_TABLE) : chunks);
            b.putLong(e + 8, i == 0 ? ownSize : 1L << 40).putLong(e + 16, i == 0 ? ownSize : 1L << 39);
        }
        b.putLong(48, tableAt).putInt(64, tableSize).putInt(68, n).putLong(72, extAt);
        return Files.write(tmp.resolve(name), b.array());
    }

    // ------------------------------------------------------------------ the bootstrap

    @Test
    void aBlobTableClaiming2To31ChunksIsOneCleanError() throws Exception {
        Path p = v5("chunks-2e31", b -> b.putInt(EXT_TABLE, 1 << 31));
        assertThat(mount(p).cleanError()).isEqualTo("Error: failed to load bootstrap " + p + ": invalid chunk_count "
                + "2147483648 of blob " + UpstreamFixture.BLOB_ID + " (at most 16777216)");
    }

    @Test
    void absurdBlobIdsSizesAndCountsAreOneCleanErrorEach() throws Exception {
        Map<Path, String> cases = Map.of(
                v5("slash-in-id", b -> b.put(BLOB_TABLE + 8 + 10, (byte) '/')),
                "invalid blob id in blob table entry 0: character 0x2f at 10",
                v5("dotdot-id", b -> b.put(BLOB_TABLE + 8, "../../".getBytes(StandardCharsets.US_ASCII))),
                "invalid blob id in blob table entry 0: character 0x2f at 2",
                v5("huge-uncompressed", b -> b.putLong(EXT_TABLE + 8, -256)),
                "invalid uncompressed_size 18446744073709551360 of blob",
                v5("huge-compressed", b -> b.putLong(EXT_TABLE + 16, Long.MAX_VALUE - 255)),
                "invalid compressed_size 9223372036854775552 of blob",
                v5("chunks-max-int", b -> b.putInt(EXT_TABLE, Integer.MAX_VALUE)),
                "invalid chunk_count 2147483647 of blob");
        for (Map.Entry<Path, String> c : cases.entrySet()) {
            assertThat(mount(c.getKey()).cleanError()).as(c.getKey().getFileName().toString())
                    .startsWith("Error: failed to load bootstrap " + c.getKey() + ": " + c.getValue());
        }
    }

    @Test
    void blobsClaimingTheMostChunksEachStillMountAndReadRight() throws Exception {
        // Four blobs at upstream's limit of 2^24 chunks: the v5 chunk tables would have taken 800 MB
        // for chunks the bootstrap cannot name.
        Path p = v5WithBlobs("four-full-blobs", 4, 1 << 24);
        NydusdProcess d = NydusdProcess.mount(tmp.resolve("four.log"), mp, Map.of(), List.of("--mountpoint",
                mp.toString(), "--config", cfg.toString(), "--bootstrap", p.toString()));
        daemons.add(d);
        assertThat(UpstreamFixture.md5sOf(mp)).isEqualTo(UpstreamFixture.md5s());
        d.stop();
    }

    @Test
    void thousandsOfBlobsClaimingTheMostChunksAreOneCleanError() throws Exception {
        Path p = v5WithBlobs("many-full-blobs", 4096, 1 << 24);
        assertThat(mount(p).cleanError()).startsWith("Error: failed to load bootstrap " + p + ": the image's 4096 blobs"
                + " claim 68702699543 chunks in all, whose readiness maps need 8.0 GiB of heap, over 1/8 of the");
    }

    @Test
    void aFifoAsTheBootstrapIsRefusedInsteadOfBlockingForever() throws Exception {
        Path fifo = tmp.resolve("bootstrap.fifo");
        Privileged.run("mkfifo", fifo.toString());
        assertThat(mount(fifo).cleanError()).isEqualTo("Error: failed to load bootstrap " + fifo + ": bootstrap " + fifo
                + " is not a regular file (a FIFO)");
    }

    @Test
    void bootstrapsTheCheckerRejectsAreNotMounted() throws Exception {
        // One byte each, deep in the image: the root and its directory are intact.
        Map<Integer, String> mutants = Map.of(
                15084, "inode 38 chunk 0: file_offset 0 and uncompressed_size 256, expected 0 and 441",
                12337, "directory inode 21: invalid children 34..65313 (inode table has 54 slots)",
                16934, "invalid i_ino 2251799813685293");
        for (Map.Entry<Integer, String> m : mutants.entrySet()) {
            int at = m.getKey();
            byte[] good = Files.readAllBytes(UpstreamFixture.bootstrap());
            Path p = v5("mutant-" + at, b -> b.put(at, switch (at) {
                case 15084 -> (byte) 0;
                case 12337 -> (byte) 0xff;
                default -> (byte) (good[at] ^ 8);
            }));
            assertThat(mount(p).cleanError()).as("byte %d", at).startsWith("Error: failed to load bootstrap " + p + ": ")
                    .contains(m.getValue());
        }
    }

    // ------------------------------------------------------------------ the configuration

    @Test
    void aConfigurationThatNeverEndsIsOneCleanError() throws Exception {
        Run r = run("--mountpoint", mp.toString(), "--config", "/dev/zero", "--bootstrap",
                UpstreamFixture.bootstrap().toString());
        assertThat(r.cleanError()).isEqualTo("Error: failed to read configuration file: /dev/zero: configuration file "
                + "size is too big (more than 1048576 bytes)");
    }

    @Test
    void aNulInWorkDirIsOneCleanError() throws Exception {
        cfg = writeConfig("{\"type\":\"blobcache\",\"filecache\":{\"work_dir\":\"" + tmp + "/ca\\u0000che\"}}",
                "{\"mode\":\"direct\"}");
        assertThat(mount(UpstreamFixture.bootstrap()).cleanError()).isEqualTo("Error: invalid configuration: "
                + "cache.filecache.work_dir: contains a NUL character at " + (tmp + "/ca").length() + " (\"" + tmp
                + "/ca\\0che\")");
    }

    @Test
    void proxyUrlsWithCredentialsAreNeverPrintedWhole() throws Exception {
        for (String proxy : List.of("http://user:" + PASSWORD + "@127.0.0.1:99999",
                "http://user:" + PASSWORD + "@", "http://user:" + PASSWORD + "@127.0.0.1:1/ x y")) {
            cfg = Files.writeString(tmp.resolve("proxy.json"), "{\"version\":2,\"backend\":{\"type\":\"registry\","
                    + "\"registry\":{\"host\":\"127.0.0.1:1\",\"repo\":\"a/b\",\"proxy\":{\"url\":\"" + proxy + "\"}}},"
                    + "\"cache\":{\"type\":\"dummycache\"},\"rafs\":{\"mode\":\"direct\"}}");
            Run r = mount(UpstreamFixture.bootstrap());
            assertThat(r.cleanError()).as(proxy).contains("'http://user:***@");
            assertThat(r.log()).doesNotContain(PASSWORD);
        }
        cfg = Files.writeString(tmp.resolve("http-proxy.json"), "{\"version\":2,\"backend\":{\"type\":\"http-proxy\","
                + "\"http-proxy\":{\"addr\":\"ftp://user:" + PASSWORD + "@127.0.0.1:1\"}},"
                + "\"cache\":{\"type\":\"dummycache\"},\"rafs\":{\"mode\":\"direct\"}}");
        Run r = mount(UpstreamFixture.bootstrap());
        assertThat(r.cleanError()).contains("\"ftp://user:***@127.0.0.1:1\"");
        assertThat(r.log()).doesNotContain(PASSWORD);
    }

    @Test
    void limitsThisJvmCannotHoldAreRefusedAtStartWithTheirNumbers() throws Exception {
        // NydusdProcess runs with -Xmx512m.
        Run threads = mount(UpstreamFixture.bootstrap(), "--fuse-threads", "1024");
        assertThat(threads.cleanError()).startsWith("Error: the configuration needs more memory than this JVM may use: "
                + "direct memory 2.0 GiB (1024 FUSE threads x 2.0 MiB of request buffers");
        cfg = writeConfig("{\"type\":\"blobcache\",\"filecache\":{\"work_dir\":\"" + tmp.resolve("cache") + "\"}}",
                "{\"mode\":\"direct\",\"batch_size\":268435456}");
        // An uncompressed blob cache does not use the chunk memory cache: it is not counted.
        assertThat(mount(UpstreamFixture.bootstrap()).cleanError()).contains("heap 6.0 GiB (2 x (12 x 256.0 MiB "
                + "amplify_io)) is over 3/4 of the");
        cfg = writeConfig("{\"type\":\"blobcache\",\"filecache\":{\"work_dir\":\"" + tmp.resolve("cache") + "\"}}",
                "{\"mode\":\"direct\",\"prefetch\":{\"enable\":true,\"threads\":1024,\"batch_size\":1048576}}");
        assertThat(mount(UpstreamFixture.bootstrap()).cleanError()).contains("1024 prefetch threads x 1.0 MiB");
    }

    @Test
    void theDirectMemoryLimitIsReadFromTheJvmsOptions() throws Exception {
        // Four FUSE threads need 8 MiB of direct buffers and 4 MiB for blob I/O: over 3/4 of 12 MiB.
        Path log = tmp.resolve("direct.log");
        int status;
        try (NydusdProcess p = NydusdProcess.start(log, mp, Map.of("JAVA_TOOL_OPTIONS", "-XX:MaxDirectMemorySize=12m"),
                "--mountpoint", mp.toString(), "--config", cfg.toString(), "--bootstrap",
                UpstreamFixture.bootstrap().toString())) {
            status = p.awaitExit(java.time.Duration.ofSeconds(60));
        }
        assertThat(new Run(status, Files.readString(log)).cleanError()).contains("is over 3/4 of the 12.0 MiB limit "
                + "(-XX:MaxDirectMemorySize, by default -Xmx)").doesNotContain("heap ");
    }

    // ------------------------------------------------------------------ the mountpoint

    @Test
    void aRegularFileAsTheMountpointIsRefused() throws Exception {
        Path file = Files.writeString(tmp.resolve("file"), "mine");
        Run r = run("--mountpoint", file.toString(), "--config", cfg.toString(), "--bootstrap",
                UpstreamFixture.bootstrap().toString());
        assertThat(r.cleanError()).isEqualTo("Error: invalid mountpoint " + file + ": not a directory (a regular file); "
                + "the image's root is a directory and must be mounted on one");
        assertThat(NydusdProcess.isMounted(file)).isFalse();
        assertThat(Files.readString(file)).isEqualTo("mine");
    }

    @Test
    void aSecondDaemonOnAServedMountpointIsRefusedAndTheFirstKeepsServing() throws Exception {
        NydusdProcess first = NydusdProcess.mount(tmp.resolve("first.log"), mp, Map.of(), List.of("--mountpoint",
                mp.toString(), "--config", cfg.toString(), "--bootstrap", UpstreamFixture.bootstrap().toString()));
        daemons.add(first);
        Path log = tmp.resolve("second.log");
        int status = NydusdProcess.runToExit(log, "--mountpoint", mp.toString(), "--config", cfg.toString(),
                "--bootstrap", UpstreamFixture.bootstrap().toString());
        Run second = new Run(status, Files.readString(log));
        assertThat(second.cleanError()).isEqualTo("Error: refusing to mount: " + mp + " is already a FUSE mount (fuse, "
                + "source rafs): a daemon serves it, or one that exited left it behind; stop that daemon or unmount "
                + mp + " first");
        assertThat(MountInfo.read().countAt(mp)).as("one mount on " + mp).isEqualTo(1);
        assertThat(UpstreamFixture.md5sOf(mp)).isEqualTo(UpstreamFixture.md5s());

        // With the API socket it names: a listener there is a live daemon.
        Path sock = tmp.resolve("api.sock");
        try (ServerSocketChannel api = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            api.bind(UnixDomainSocketAddress.of(sock));
            Path log2 = tmp.resolve("third.log");
            status = NydusdProcess.runToExit(log2, "--mountpoint", mp.toString(), "--config", cfg.toString(),
                    "--bootstrap", UpstreamFixture.bootstrap().toString(), "--apisock", sock.toString());
            assertThat(new Run(status, Files.readString(log2)).cleanError()).isEqualTo("Error: refusing to mount: " + mp
                    + " is already served by a running daemon (its API socket " + sock + " accepts connections); stop "
                    + "that daemon first");
        }
        assertThat(MountInfo.read().countAt(mp)).isEqualTo(1);
        first.stop();
    }
}
