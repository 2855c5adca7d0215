package dev.jnydus.daemon;

import dev.jnydus.builder.BuildOptions;
import dev.jnydus.builder.BuildOutputs;
import dev.jnydus.builder.ImageBuilder;
import dev.jnydus.common.Compressor;
import dev.jnydus.daemon.cli.BuildInfo;
import dev.jnydus.daemon.cli.LogbackConfigurer;
import dev.jnydus.daemon.cli.NydusdCli;
import dev.jnydus.daemon.cli.StartupPlan;
import dev.jnydus.fuse.api.Context;
import dev.jnydus.fuse.api.Entry;
import dev.jnydus.fuse.server.Server;
import dev.jnydus.fuse.vfs.Vfs;
import dev.jnydus.rafs.fs.RafsFileSystem;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Comparator;
import java.util.Map;
import java.util.OptionalLong;

/**
 * The training run behind the class-data-sharing archive that {@code bin/nydusd} maps at start
 * (the build runs it with {@code -XX:ArchiveClassesAtExit}): it goes through a daemon start
 * without mounting anything — command line, logging, a v1 registry configuration and a localfs
 * one, backends, blob cache, bootstrap, filesystem operations and the FUSE server — so that the
 * classes a real start loads are archived. A start then maps them instead of loading and verifying
 * a few thousand classes, which is most of the JVM's share of a cold start.
 */
public final class CdsTraining {
    private CdsTraining() {
    }

    public static void main(String[] args) throws Exception {
        Path work = Files.createTempDirectory("jnydus-cds-");
        PrintStream quiet = new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8);
        try {
            Path src = Files.createDirectories(work.resolve("src/etc"));
            Files.writeString(src.resolve("hostname"), "jnydus\n");
            Files.write(work.resolve("src/data"), new byte[200_000]);
            Files.createSymbolicLink(work.resolve("src/link"), Path.of("etc/hostname"));
            Path blobs = Files.createDirectories(work.resolve("blobs"));
            Path boot = work.resolve("bootstrap");
            new ImageBuilder(BuildOptions.defaults().withFsVersion(6).withCompressor(Compressor.ZSTD), null)
                    .create(work.resolve("src"), BuildOutputs.toDir(boot, blobs));
            Path mnt = Files.createDirectories(work.resolve("mnt"));
            Path registryConfig = work.resolve("registry.json");
            Files.writeString(registryConfig, """
                    {"device": {"backend": {"type": "registry", "config": {"scheme": "http",
                      "host": "127.0.0.1:1", "repo": "training", "timeout": 1, "connect_timeout": 1,
                      "proxy": {"url": "http://127.0.0.1:2", "fallback": true, "ping_url": "http://127.0.0.1:2/ping"}}},
                      "cache": {"type": "blobcache", "config": {"work_dir": "%s"}}},
                     "mode": "direct", "digest_validate": false, "amplify_io": 1048576,
                     "fs_prefetch": {"enable": true, "threads_count": 2}}
                    """.formatted(work.resolve("cache")));
            NydusdCli cli = new NydusdCli(quiet, quiet, Map.of(), BuildInfo.current(), new LogbackConfigurer(),
                    CdsTraining::exercise);
            cli.run("--version");
            cli.run("fuse", "--config", registryConfig.toString(), "--mountpoint", mnt.toString(), "--bootstrap",
                    boot.toString(), "--log-level", "error");
            cli.run("--bootstrap", boot.toString(), "--localfs-dir", blobs.toString(), "--mountpoint", mnt.toString(),
                    "--log-level", "error");
        } finally {
            try (var s = Files.walk(work)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** What {@link FuseDaemonLauncher} does before mounting, then a few operations on the image. */
    private static void exercise(StartupPlan plan) throws Exception {
        if (plan.startupMount().isEmpty()) {
            return;
        }
        try (RafsInstance instance = RafsInstance.open(plan.startupMount().get(), 0, 0)) {
            Vfs vfs = new Vfs(FuseDaemonLauncher.fuseOptions(false), Clock.systemUTC());
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
                fs.listxattr(ctx, host.nodeId());
                Entry link = fs.lookup(ctx, root, "link".getBytes(StandardCharsets.UTF_8));
                fs.readlink(ctx, link.nodeId());
            } catch (IOException expected) {
                // The registry configuration has no registry behind it: its reads fail, as training.
            }
        }
    }
}
