package dev.jnydus.daemon;

import dev.jnydus.builder.BuildOptions;
import dev.jnydus.builder.BuildOutputs;
import dev.jnydus.builder.ImageBuilder;
import dev.jnydus.common.Compressor;
import dev.jnydus.daemon.api.ApiServer;
import dev.jnydus.daemon.cli.BuildInfo;
import dev.jnydus.daemon.cli.ErrorEvents;
import dev.jnydus.daemon.ctl.ApiClient;
import dev.jnydus.daemon.cli.LogbackConfigurer;
import dev.jnydus.daemon.cli.NydusdCli;
import dev.jnydus.daemon.cli.StartupPlan;
import dev.jnydus.daemon.cli.StopSignals;
import dev.jnydus.fuse.api.Context;
import dev.jnydus.fuse.api.Entry;
import dev.jnydus.fuse.server.Server;
import dev.jnydus.fuse.vfs.Vfs;
import dev.jnydus.rafs.fs.RafsFileSystem;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The training run behind the class-data-sharing archive that {@code bin/nydusd} maps at start
 * (the build runs it with {@code -XX:DumpLoadedClassList} and dumps a static archive of the classes
 * it loaded, the JDK's among them, see {@code bin/jnydus-java}): it goes through a daemon start
 * without mounting anything — command line, logging, a v1 registry configuration and a localfs
 * one, backends, blob cache, bootstrap, filesystem operations and the FUSE server — so that the
 * classes a real start loads are archived. A start then maps them instead of loading and verifying
 * a few thousand classes, which is most of the JVM's share of a cold start.
 */
public final class CdsTraining {
    private CdsTraining() {
    }

    /**
     * With no arguments, makes a small image in a temporary directory and trains on it. The build
     * makes the image first in a JVM of its own ({@code --prepare DIR}), then trains on it
     * ({@code --work DIR}), so that the image builder's classes stay out of the archive: an AOT
     * cache loads every class it holds at each start, whether the start uses it or not.
     */
    public static void main(String[] args) throws Exception {
        if (args.length == 2 && args[0].equals("--prepare")) {
            prepare(Path.of(args[1]));
            return;
        }
        if (args.length == 2 && args[0].equals("--work")) {
            train(Path.of(args[1]));
            return;
        }
        if (args.length != 0) {
            throw new IllegalArgumentException("usage: CdsTraining [--prepare DIR | --work DIR]");
        }
        Path work = Files.createTempDirectory("jnydus-cds-");
        try {
            prepare(work);
            train(work);
        } finally {
            delete(work);
        }
    }

    /** The image the training mounts: {@code DIR/bootstrap} and its blob in {@code DIR/blobs}. */
    static void prepare(Path work) throws IOException {
        Path src = Files.createDirectories(work.resolve("src/etc"));
        Files.writeString(src.resolve("hostname"), "jnydus\n");
        Files.write(work.resolve("src/data"), new byte[200_000]);
        Files.createSymbolicLink(work.resolve("src/link"), Path.of("etc/hostname"));
        Path blobs = Files.createDirectories(work.resolve("blobs"));
        new ImageBuilder(BuildOptions.defaults().withFsVersion(6).withCompressor(Compressor.ZSTD), null)
                .create(work.resolve("src"), BuildOutputs.toDir(work.resolve("bootstrap"), blobs));
    }

    /** Starts the daemon's way on the image {@link #prepare} made, in a scratch directory it removes. */
    static void train(Path image) throws Exception {
        Path work = Files.createTempDirectory(image, "run-");
        PrintStream quiet = new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8);
        try {
            Path boot = image.resolve("bootstrap");
            // First: the archive keeps the order in which the run loaded its classes, and those of a
            // real start, which every daemon touches, then lie together instead of between classes a
            // daemon seldom uses; the kernel maps an archive's pages in runs around each one touched.
            realStart(boot, image.resolve("blobs"), work.resolve("real"));
            // A copy: --localfs-dir makes the blob directory the cache's too, and every run starts uncached.
            Path blobs = Files.createDirectories(work.resolve("blobs"));
            try (var files = Files.list(image.resolve("blobs"))) {
                for (Path f : (Iterable<Path>) files::iterator) {
                    Files.copy(f, blobs.resolve(f.getFileName()));
                }
            }
            Path mnt = Files.createDirectories(work.resolve("mnt"));
            HttpServer registry = BlobServer.start(blobs);
            Path registryConfig = work.resolve("registry.json");
            Files.writeString(registryConfig, """
                    {"device": {"backend": {"type": "registry", "config": {"scheme": "http",
                      "host": "127.0.0.1:%d", "repo": "training", "timeout": 5, "connect_timeout": 5}},
                      "cache": {"type": "blobcache", "config": {"work_dir": "%s"}}},
                     "mode": "direct", "digest_validate": false, "amplify_io": 1048576,
                     "fs_prefetch": {"enable": true, "threads_count": 2}}
                    """.formatted(registry.getAddress().getPort(), work.resolve("cache")));
            NydusdCli cli = new NydusdCli(quiet, System.err, Map.of(), BuildInfo.current(), new LogbackConfigurer(),
                    CdsTraining::exercise);
            cli.run("--version");
            cli.run("fuse", "--config", registryConfig.toString(), "--mountpoint", mnt.toString(), "--bootstrap",
                    boot.toString(), "--log-level", "error");
            cli.run("--bootstrap", boot.toString(), "--localfs-dir", blobs.toString(), "--mountpoint", mnt.toString(),
                    "--log-level", "error");
            registry.stop(0);
            exerciseApi(work.resolve("api.sock"));
        } finally {
            delete(work);
        }
    }

    /**
     * Where the build runs as root with {@code /dev/fuse} (CI does): real starts the way
     * {@code main} makes them, mounted, a file read through the mount, then stopped; the first
     * without the API, the second with it (API up, asked for its state). These steps put what the
     * launcher itself loads (the mount, the kernel probes, the native calls, the API's binding,
     * their lambdas) in the archive, and what a start finds there it need not look for in the jars.
     * The start without the API comes first because the dump lays the classes out in the order
     * they were loaded and the kernel maps an archive's pages in runs around each one touched: the
     * classes every daemon loads then lie together, before Netty's and the API's (an idle daemon
     * without {@code --apisock} had 26.2 instead of 27.1 MiB of the archive resident). Elsewhere
     * it is skipped and the archive is only less complete.
     */
    private static void realStart(Path boot, Path imageBlobs, Path work) throws Exception {
        if (!Files.isWritable(Path.of("/dev/fuse")) || dev.jnydus.sys.ProcessIds.geteuid() != 0) {
            System.err.println("training: no real mount (not root, or no /dev/fuse)");
            return;
        }
        Path mnt = Files.createDirectories(work.resolve("mnt"));
        realStartOnce(boot, imageBlobs, work.resolve("plain"), mnt, null);
        realStartOnce(boot, imageBlobs, work.resolve("api"), mnt, work.resolve("api.sock"));
    }

    /**
     * One start on a copy of the image's blobs in {@code dir} (a localfs directory is the cache's
     * too, and every start begins uncached), with the API at {@code sock} unless it is null.
     */
    private static void realStartOnce(Path boot, Path imageBlobs, Path dir, Path mnt, Path sock) throws Exception {
        Path blobs = Files.createDirectories(dir.resolve("blobs"));
        try (var files = Files.list(imageBlobs)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Files.copy(f, blobs.resolve(f.getFileName()));
            }
        }
        StopSignals stop = StopSignals.none();
        ErrorEvents errors = new ErrorEvents();
        FuseDaemonLauncher launcher = new FuseDaemonLauncher();
        launcher.prepare();
        PrintStream quiet = new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8);
        NydusdCli cli = new NydusdCli(quiet, System.err, Map.of(), BuildInfo.current(), new LogbackConfigurer(errors),
                launcher, stop, errors);
        List<String> args = new ArrayList<>(List.of("--bootstrap", boot.toString(),
                "--localfs-dir", blobs.toString(), "--mountpoint", mnt.toString(), "--log-level", "error"));
        if (sock != null) {
            args.addAll(List.of("--apisock", sock.toString()));
        }
        int[] status = {-1};
        Thread daemon = new Thread(() -> status[0] = cli.run(args.toArray(new String[0])), "training-daemon");
        daemon.start();
        try {
            boolean running = false;
            for (int i = 0; i < 400 && daemon.isAlive() && !running; i++) {
                if (sock == null) {
                    running = Files.readString(Path.of("/proc/self/mountinfo")).contains(" " + mnt + " ");
                } else if (Files.exists(sock)) {
                    try (ApiClient client = ApiClient.connect(sock)) {
                        running = client.get("/api/v1/daemon").body().contains("RUNNING");
                    } catch (IOException notYet) {
                        // Published but not answering yet.
                    }
                }
                if (!running) {
                    Thread.sleep(50);
                }
            }
            if (running) {
                Files.readString(mnt.resolve("etc/hostname"));
                Files.readAllBytes(mnt.resolve("data"));
            } else {
                System.err.println("training: the real start did not reach RUNNING (status " + status[0] + ")");
            }
        } finally {
            stop.request("training");
            daemon.join(30_000);
            if (Files.readString(Path.of("/proc/self/mountinfo")).contains(" " + mnt + " ")) {
                dev.jnydus.sys.Mounts.umount2(mnt, dev.jnydus.sys.Mounts.MNT_DETACH);
            }
        }
    }

    private static void delete(Path dir) throws IOException {
        try (var s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /**
     * The API server of a successor waiting in INIT, and the requests the snapshotter sends it
     * first: a successor must answer within the snapshotter's 2 to 4 s polling window, JVM start
     * included, so its classes belong in the archive too.
     */
    private static void exerciseApi(Path sock) throws Exception {
        DaemonStateMachine machine = new DaemonStateMachine(new DaemonStateMachine.Actions() {
            @Override
            public void restore() throws DaemonException {
                throw new DaemonException(DaemonException.Kind.UPGRADE_MANAGER, "training");
            }

            @Override
            public void startService() {
            }

            @Override
            public void terminateService() {
            }

            @Override
            public void umount() {
            }
        });
        ApiDispatcher dispatcher = new ApiDispatcher(new ApiDispatcher.Identity(BuildInfo.current(), Optional.of("t"),
                Optional.empty(), Optional::empty), machine, null, null, null, (mountpoint, cmd) -> {
                    throw DaemonException.unsupported("training");
                }, DaemonMetrics.none(machine::state), new RuntimeConfig(), new LogbackConfigurer(),
                new ErrorEvents(), why -> { });
        try (ApiServer api = ApiServer.start(sock, dispatcher); ApiClient client = ApiClient.connect(sock)) {
            client.get("/api/v1/daemon");
            client.send("PUT", "/api/v1/daemon/fuse/takeover", null);
            client.send("PUT", "/api/v1/daemon/start", null);
            client.get("/api/v1/metrics");
        } finally {
            machine.close();
        }
    }

    /** An operation whose answer may be an error, like listxattr on an image without xattrs. */
    private static void answer(java.util.concurrent.Callable<?> op) throws Exception {
        try {
            op.call();
        } catch (dev.jnydus.common.FsException expected) {
            // An errno is an answer too.
        }
    }

    /**
     * A registry of one repository on 127.0.0.1 serving blob files with range reads, so that the
     * HTTP path of a real start (connection, request, response body) is part of the training.
     */
    static final class BlobServer {
        private BlobServer() {
        }

        static HttpServer start(Path blobs) throws IOException {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            server.createContext("/v2/", exchange -> {
                String path = exchange.getRequestURI().getPath();
                String id = path.substring(path.lastIndexOf(':') + 1);
                Path blob = blobs.resolve(id);
                if (!path.contains("/blobs/sha256:") || !Files.isRegularFile(blob)) {
                    exchange.sendResponseHeaders(404, -1);
                    exchange.close();
                    return;
                }
                byte[] all = Files.readAllBytes(blob);
                long from = 0;
                long to = all.length - 1;
                String range = exchange.getRequestHeaders().getFirst("Range");
                if (range != null && range.startsWith("bytes=")) {
                    String[] r = range.substring(6).split("-");
                    from = Long.parseLong(r[0]);
                    to = r.length > 1 && !r[1].isEmpty() ? Math.min(Long.parseLong(r[1]), to) : to;
                    exchange.getResponseHeaders().set("Content-Range", "bytes " + from + "-" + to + "/" + all.length);
                }
                int len = (int) (to - from + 1);
                exchange.sendResponseHeaders(range == null ? 200 : 206, len);
                exchange.getResponseBody().write(all, (int) from, len);
                exchange.close();
            });
            server.start();
            return server;
        }
    }

    /** What {@link FuseDaemonLauncher} does before mounting, then a few operations on the image. */
    private static void exercise(StartupPlan plan) throws Exception {
        if (plan.startupMount().isEmpty()) {
            return;
        }
        try (RafsInstance instance = RafsInstance.open(plan.startupMount().get(), 0, 0)) {
            Vfs vfs = new Vfs(FuseService.fuseOptions(false), Clock.systemUTC());
            RafsFileSystem fs = instance.fileSystem();
            vfs.attach("/", fs, fs.rootIno());
            Server.builder(vfs).build();
            Context ctx = new Context(1, 0, 0, 1);
            long root = fs.rootIno();
            fs.getattr(ctx, root, OptionalLong.empty());
            fs.readdirplus(ctx, root, 0, 0, (name, entry, next) -> true);
            fs.statfs(ctx, root);
            try {
                Entry etc = fs.lookup(ctx, root, "etc".getBytes(StandardCharsets.UTF_8));
                Entry host = fs.lookup(ctx, etc.nodeId(), "hostname".getBytes(StandardCharsets.UTF_8));
                fs.read(ctx, host.nodeId(), 0, 0, ByteBuffer.allocateDirect(4096));
                Entry data = fs.lookup(ctx, root, "data".getBytes(StandardCharsets.UTF_8));
                fs.read(ctx, data.nodeId(), 0, 0, ByteBuffer.allocateDirect(128 << 10));
                answer(() -> fs.listxattr(ctx, host.nodeId()));
                Entry link = fs.lookup(ctx, root, "link".getBytes(StandardCharsets.UTF_8));
                fs.readlink(ctx, link.nodeId());
            } catch (IOException e) {
                throw new IllegalStateException("training read failed", e);
            }
        }
    }
}
