package dev.jnydus.daemon;

import dev.jnydus.sys.Mounts;
import dev.jnydus.testkit.registry.RegistryServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * One benchmark run inside {@code shared/vm/run-in-vm} (driven by {@link FsCacheVmBench}): reading
 * every file of one tree through jnydus in fscache mode, through jnydus in FUSE mode (both from the
 * same RAFS v6 zstd image served by the registry), and through the kernel's EROFS from a plain
 * {@code mkfs.erofs} image of the same tree on a loop device (the limit of fscache mode, where
 * cached reads never leave the kernel). Cold: fresh daemon, empty cache, page cache dropped; warm:
 * the data in the local cache (cache files, blob cache, loop file), page cache dropped. The reader
 * is {@code find | xargs cat}, so no JVM sits on the reading side. Reps are interleaved; each line
 * printed is {@code BENCH <system> <cold|warm> <rep> <ms>}.
 */
public final class FsCacheGuestBench {
    private static final Duration WAIT = Duration.ofMinutes(10);
    private static final String REPO = "jnydus/bench";

    private FsCacheGuestBench() {
    }

    public static void main(String[] args) throws Exception {
        Path in = Path.of(args[0]);
        int reps = Integer.parseInt(args[1]);
        Path tmp = Files.createDirectories(Path.of("/tmp/fscache-bench"));
        System.out.println("clocksource " + Files.readString(
                Path.of("/sys/devices/system/clocksource/clocksource0/current_clocksource")).trim());
        int status = 1;
        try (RegistryServer registry = RegistryServer.anonymous().start(Duration.ofMinutes(5))) {
            Path blob;
            try (Stream<Path> s = Files.list(in.resolve("blobs-bench"))) {
                blob = s.findFirst().orElseThrow();
            }
            registry.pushBlob(REPO, blob);
            String backend = "{\"type\":\"registry\",\"registry\":{\"scheme\":\"http\",\"host\":\""
                    + registry.hostPort() + "\",\"repo\":\"" + REPO + "\",\"timeout\":60}}";
            for (int rep = 1; rep <= reps; rep++) {
                fscache(in, tmp.resolve("fscache-" + rep), backend, rep);
                fuse(in, tmp.resolve("fuse-" + rep), backend, rep);
                erofs(in, tmp.resolve("erofs-" + rep), rep);
            }
            status = 0;
        } catch (Throwable t) {
            t.printStackTrace(System.out);
        }
        System.out.println(status == 0 ? "BENCH DONE" : "BENCH FAILED");
        System.out.flush();
        System.exit(status);
    }

    private static void fscache(Path in, Path dir, String backend, int rep) throws Exception {
        Path cache = Files.createDirectories(dir.resolve("cache"));
        Path work = Files.createDirectories(dir.resolve("work"));
        Path mp = Files.createDirectories(dir.resolve("mnt"));
        String entry = "{\"type\":\"bootstrap\",\"id\":\"bench\",\"domain_id\":\"bench" + rep + "\",\"config_v2\":{"
                + "\"version\":2,\"id\":\"bench\",\"backend\":" + backend + ",\"cache\":{\"type\":\"fscache\","
                + "\"fscache\":{\"work_dir\":\"" + work + "\"}},\"metadata_path\":\"" + in.resolve("bench.boot") + "\"}}";
        Path cfg = Files.writeString(dir.resolve("singleton.json"), "{\"blobs\":[" + entry + "]}");
        try (NydusdProcess d = NydusdProcess.start(dir.resolve("nydusd.log"), null, "singleton", "--fscache",
                cache.toString(), "--config", cfg.toString())) {
            awaitRunning(d);
            Mounts.mount("none", mp, "erofs", Mounts.MS_RDONLY, "fsid=bench,domain_id=bench" + rep);
            try {
                measure("fscache", mp, rep);
            } finally {
                Mounts.umount2(mp, 0);
            }
            d.signal("TERM");
            d.awaitExit(WAIT);
        }
    }

    private static void fuse(Path in, Path dir, String backend, int rep) throws Exception {
        Path mp = Files.createDirectories(dir.resolve("mnt"));
        Path cfg = Files.writeString(dir.resolve("fuse.json"), "{\"version\":2,\"backend\":" + backend
                + ",\"cache\":{\"type\":\"blobcache\",\"filecache\":{\"work_dir\":\"" + dir.resolve("blobcache")
                + "\"}},\"rafs\":{\"mode\":\"direct\"}}");
        try (NydusdProcess d = NydusdProcess.start(dir.resolve("nydusd.log"), mp, "--mountpoint", mp.toString(),
                "--bootstrap", in.resolve("bench.boot").toString(), "--config", cfg.toString())) {
            d.awaitMounted(WAIT);
            measure("fuse", mp, rep);
            d.stop();
        }
    }

    private static void erofs(Path in, Path dir, int rep) throws Exception {
        Path mp = Files.createDirectories(dir.resolve("mnt"));
        // The loop file on the guest's ext4, as the fscache cache files are.
        Path img = dir.resolve("bench.erofs");
        Files.copy(in.resolve("bench.erofs"), img);
        run("mount", "-t", "erofs", "-o", "loop,ro", img.toString(), mp.toString());
        try {
            measureWarm("erofs-loop", mp, rep);
        } finally {
            run("umount", mp.toString());
        }
    }

    private static void measure(String system, Path mp, int rep) throws Exception {
        FsCacheGuestScenario.dropCaches();
        long t = System.nanoTime();
        readAll(mp);
        print(system, "cold", rep, t);
        measureWarm(system, mp, rep);
    }

    private static void measureWarm(String system, Path mp, int rep) throws Exception {
        FsCacheGuestScenario.dropCaches();
        long t = System.nanoTime();
        readAll(mp);
        print(system, "warm", rep, t);
    }

    private static void print(String system, String kind, int rep, long startNanos) {
        System.out.printf("BENCH %s %s %d %d%n", system, kind, rep, (System.nanoTime() - startNanos) / 1_000_000);
        System.out.flush();
    }

    private static void readAll(Path mp) throws Exception {
        run("sh", "-c", "find '" + mp + "' -type f -print0 | xargs -0 cat > /dev/null");
    }

    private static void awaitRunning(NydusdProcess d) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!d.log().contains("(RUNNING)")) {
            if (!d.isAlive() || System.nanoTime() > deadline) {
                throw new AssertionError("nydusd singleton did not start:\n" + d.log());
            }
            java.util.concurrent.locks.LockSupport.parkNanos(50_000_000);
        }
    }

    private static void run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(new ArrayList<>(List.of(cmd))).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed: " + out);
        }
    }
}
