package dev.jnydus.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jnydus.daemon.ctl.ApiClient;
import dev.jnydus.sys.Mounts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What nydus-snapshotter does to one dedicated daemon with {@code recover_policy = "failover"}
 * ({@code pkg/manager/daemon_event.go}, {@code pkg/supervisor}), step by step, for the handover
 * tests: it starts the daemon with {@code --supervisor} and {@code --id}, fetches its state once it
 * runs, and replaces it either by a hot upgrade ({@code DoDaemonUpgrade}) or, after it died, by a
 * failover ({@code doDaemonFailover}) with the same command line. Daemons run as the packaged
 * {@code bin/nydusd}.
 */
final class SnapshotterRig implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration STATE_WAIT = Duration.ofSeconds(60);

    /** One daemon process and its API socket. */
    record Daemon(NydusdProcess process, Path apiSock, Path log) {
    }

    /** How long a handover took: spawn to the first INIT answer, and the whole sequence. */
    record Timings(Duration spawnToInit, Duration total) {
    }

    private final Path dir;
    private final Path mountpoint;
    private final List<String> args;
    private final String id;
    private final SnapshotterSupervisor supervisor;
    private final List<NydusdProcess> all = new ArrayList<>();
    private Daemon current;
    private int generation;

    /**
     * @param args the daemon's own arguments (subcommand, config, bootstrap, mountpoint...); the
     *     rig adds the API socket, supervisor, id, log options and failover policy as the
     *     snapshotter does
     */
    SnapshotterRig(Path dir, Path mountpoint, List<String> args, String id) throws IOException {
        this.dir = Files.createDirectories(dir);
        this.mountpoint = mountpoint;
        this.args = List.copyOf(args);
        this.id = id;
        this.supervisor = new SnapshotterSupervisor(Files.createDirectories(dir.resolve("supervisor"))
                .resolve(id + ".sock"));
    }

    Daemon current() {
        return current;
    }

    SnapshotterSupervisor supervisor() {
        return supervisor;
    }

    private List<String> commandLine(Path apiSock, boolean upgrade) {
        List<String> cmd = new ArrayList<>(args);
        cmd.addAll(List.of("--apisock", apiSock.toString(), "--log-level", "info", "--log-rotation-size", "100",
                "--supervisor", supervisor.socket().toString(), "--id", id, "--failover-policy", "resend"));
        if (upgrade) {
            cmd.add("--upgrade");
        }
        return cmd;
    }

    private Daemon spawn(Path apiSock, boolean upgrade) throws IOException {
        Path log = dir.resolve("nydusd-" + (generation++) + ".log");
        NydusdProcess p = NydusdProcess.startBin(log, null, commandLine(apiSock, upgrade).toArray(new String[0]));
        all.add(p);
        return new Daemon(p, apiSock, log);
    }

    /** Starts the first daemon, waits until it runs, and fetches its state into the supervisor. */
    Daemon startFirst() throws Exception {
        current = spawn(dir.resolve("api.sock"), false);
        awaitState(current, "RUNNING", STATE_WAIT);
        Daemon d = current;
        supervisor.fetchDaemonStates(() -> expect(put(d, "/api/v1/daemon/fuse/sendfd"), 204, d), STATE_WAIT);
        return current;
    }

    /** {@code DoDaemonUpgrade}: a new binary with {@code --upgrade} on the next API socket takes over. */
    Timings hotUpgrade() throws Exception {
        long t0 = System.nanoTime();
        Daemon old = current;
        supervisor.sendStatesTimeout(Duration.ofSeconds(10));
        Daemon next = spawn(nextSocket(old.apiSock()), true);
        Duration toInit = awaitState(next, "INIT", STATE_WAIT);
        expect(put(next, "/api/v1/daemon/fuse/takeover"), 204, next);
        supervisor.awaitSent(Duration.ofSeconds(10));
        awaitState(next, "READY", STATE_WAIT);
        expect(put(old, "/api/v1/daemon/exit"), 204, old);
        int status = old.process().awaitExit(STATE_WAIT);
        if (status != 0) {
            throw new AssertionError("the old daemon exited with " + status + ":\n" + old.process().log());
        }
        expect(put(next, "/api/v1/daemon/start"), 204, next);
        awaitState(next, "RUNNING", STATE_WAIT);
        current = next;
        return new Timings(toInit, Duration.ofNanos(System.nanoTime() - t0));
    }

    /**
     * {@code doDaemonFailover} after a {@code kill -9}: the same command line (no {@code --upgrade},
     * the same API socket, whose file the dead daemon left) finds the crash, waits in INIT and
     * takes over. {@code afterDeath} runs once the old process is gone, before the new one starts.
     */
    Timings failover(Runnable afterDeath) throws Exception {
        long t0 = System.nanoTime();
        Daemon old = current;
        old.process().signal("KILL");
        old.process().awaitExit(STATE_WAIT);
        afterDeath.run();
        supervisor.sendStatesTimeout(Duration.ofSeconds(10));
        Daemon next = spawn(old.apiSock(), false);
        Duration toInit = awaitState(next, "INIT", STATE_WAIT);
        expect(put(next, "/api/v1/daemon/fuse/takeover"), 204, next);
        supervisor.awaitSent(Duration.ofSeconds(10));
        expect(put(next, "/api/v1/daemon/start"), 204, next);
        awaitState(next, "RUNNING", STATE_WAIT);
        current = next;
        return new Timings(toInit, Duration.ofNanos(System.nanoTime() - t0));
    }

    /** SIGTERM to the current daemon: it unmounts and exits 0. */
    void stopCurrent() throws Exception {
        current.process().signal("TERM");
        int status = current.process().awaitExit(Duration.ofSeconds(60));
        if (status != 0) {
            throw new AssertionError("nydusd exited with " + status + " on SIGTERM:\n" + current.process().log());
        }
    }

    /** {@code buildNextAPISocket}: api.sock, api1.sock, api2.sock... */
    static Path nextSocket(Path cur) {
        String name = cur.getFileName().toString();
        String digits = name.replaceAll("[^0-9]", "");
        int n = digits.isEmpty() ? 1 : Integer.parseInt(digits) + 1;
        return cur.resolveSibling("api" + n + ".sock");
    }

    private static ApiClient.Response put(Daemon d, String path) throws IOException {
        try (ApiClient api = ApiClient.connect(d.apiSock())) {
            return api.send("PUT", path, null);
        }
    }

    private Object expect(ApiClient.Response r, int status, Daemon d) throws IOException {
        if (r.status() != status) {
            StringBuilder logs = new StringBuilder();
            for (NydusdProcess p : all) {
                logs.append("---- daemon ").append(p.pid()).append(p == d.process() ? " (asked)" : "").append('\n')
                        .append(p.log());
            }
            throw new AssertionError("expected " + status + ", got " + r.status() + " " + r.body() + ":\n" + logs);
        }
        return r;
    }

    /**
     * Polls {@code GET /api/v1/daemon} until {@code state}, as the snapshotter's
     * {@code WaitUntilState} does (it gives up after 20 tries 100 to 200 ms apart; this waits
     * longer and reports how long it took from now).
     */
    static Duration awaitState(Daemon d, String state, Duration timeout) throws Exception {
        long t0 = System.nanoTime();
        long deadline = t0 + timeout.toNanos();
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            if (!d.process().isAlive()) {
                throw new AssertionError("nydusd exited while waiting for " + state + ":\n" + d.process().log());
            }
            if (Files.exists(d.apiSock())) {
                try (ApiClient api = ApiClient.connect(d.apiSock())) {
                    ApiClient.Response r = api.get("/api/v1/daemon");
                    JsonNode info = JSON.readTree(r.body());
                    last = info.path("state").asText();
                    if (state.equals(last)) {
                        return Duration.ofNanos(System.nanoTime() - t0);
                    }
                } catch (IOException e) {
                    last = e.toString();
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("nydusd not " + state + " within " + timeout + " (last: " + last + "):\n"
                + d.process().log());
    }

    /** Open descriptors of a process. */
    static long fdCount(long pid) throws IOException {
        try (var s = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            return s.count();
        }
    }

    /** Open descriptors of a process that are /dev/fuse. */
    static long fuseFdCount(long pid) throws IOException {
        return fdKinds(pid).getOrDefault("/dev/fuse", 0L);
    }

    /**
     * Open descriptors of a process by what they are: the path of a file, or the kind of a
     * socket, pipe or anonymous inode without its number ({@code socket}, {@code anon_inode:[eventfd]});
     * each daemon's own log ({@link #spawn} numbers them) as {@code nydusd-N.log}.
     */
    static java.util.SortedMap<String, Long> fdKinds(long pid) throws IOException {
        java.util.SortedMap<String, Long> kinds = new java.util.TreeMap<>();
        try (var s = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            for (Path fd : (Iterable<Path>) s::iterator) {
                try {
                    String target = Files.readSymbolicLink(fd).toString().replaceFirst("^(socket|pipe):\\[\\d+]$", "$1")
                            .replaceFirst("/nydusd-\\d+\\.log$", "/nydusd-N.log");
                    kinds.merge(target, 1L, Long::sum);
                } catch (IOException e) {
                    // closed meanwhile
                }
            }
        }
        return kinds;
    }

    /**
     * {@link #fdKinds} once it has stayed the same for 300 ms: an API connection the rig just
     * closed is closed by the daemon a moment later.
     */
    static java.util.SortedMap<String, Long> settledFdKinds(long pid) throws IOException, InterruptedException {
        java.util.SortedMap<String, Long> last = fdKinds(pid);
        long stableSince = System.nanoTime();
        while (System.nanoTime() - stableSince < Duration.ofMillis(300).toNanos()) {
            Thread.sleep(50);
            java.util.SortedMap<String, Long> now = fdKinds(pid);
            if (!now.equals(last)) {
                last = now;
                stableSince = System.nanoTime();
            }
        }
        return last;
    }

    @Override
    public void close() throws Exception {
        for (NydusdProcess p : all) {
            p.close();
        }
        supervisor.close();
        while (mountpoint != null && NydusdProcess.isMounted(mountpoint)) {
            Mounts.umount2(mountpoint, Mounts.MNT_DETACH);
        }
    }
}
