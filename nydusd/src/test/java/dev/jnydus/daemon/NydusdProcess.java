package dev.jnydus.daemon;

import dev.jnydus.sys.Mounts;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code nydusd} as a child process, run from the test class path (so that {@code mvn verify}
 * works before anything is packaged), with stdout and stderr in a log file. {@link #close} always
 * leaves no process and no mount behind.
 */
final class NydusdProcess implements AutoCloseable {
    /** System property: JVM options added to every daemon {@link #start} starts. */
    static final String EXTRA_JVM_OPTIONS = "jnydus.test.daemonJvmOptions";
    private final Process process;
    private final Path log;
    private final Path mountpoint;

    private NydusdProcess(Process process, Path log, Path mountpoint) {
        this.process = process;
        this.log = log;
        this.mountpoint = mountpoint;
    }

    /** Starts {@code nydusd args...}; {@code mountpoint} is where it will mount (for cleanup), may be null. */
    static NydusdProcess start(Path log, Path mountpoint, String... args) throws IOException {
        return start(log, mountpoint, Map.of(), args);
    }

    /**
     * Starts {@code nydusd args...} with {@code env} added to its environment (which otherwise
     * never carries the test JVM's {@code IMAGE_PULL_AUTH}).
     */
    static NydusdProcess start(Path log, Path mountpoint, Map<String, String> env, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx512m");
        cmd.add("-XX:+UseSerialGC");
        // Options a whole scenario needs for its daemons (the emulated guest's, see NydusdFscacheVmTest).
        String extra = System.getProperty(EXTRA_JVM_OPTIONS, "");
        for (String o : extra.trim().split("\\s+")) {
            if (!o.isEmpty()) {
                cmd.add(o);
            }
        }
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(dev.jnydus.daemon.cli.Main.class.getName());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().remove("IMAGE_PULL_AUTH");
        pb.environment().putAll(env);
        Process p = pb.start();
        p.getOutputStream().close();
        return new NydusdProcess(p, log, mountpoint);
    }

    /**
     * Starts the packaged launcher {@code bin/nydusd args...} exactly as a user (or the snapshotter)
     * does; for the integration tests, which run after {@code package}.
     */
    static NydusdProcess startBin(Path log, Path mountpoint, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(binDir().resolve("nydusd").toString());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().remove("IMAGE_PULL_AUTH");
        pb.environment().put("JNYDUS_JAVA_OPTS", "-Xmx512m -XX:+UseSerialGC -XX:TieredStopAtLevel=1");
        Process p = pb.start();
        p.getOutputStream().close();
        return new NydusdProcess(p, log, mountpoint);
    }

    /** The repository's {@code bin/} (tests run in the nydusd module's directory). */
    static Path binDir() {
        return Path.of(System.getProperty("user.dir")).toAbsolutePath().getParent().resolve("bin");
    }

    /**
     * Starts nydusd with {@code env} and {@code args} (which must include {@code --mountpoint mp})
     * and waits until it serves the mount; on failure nothing is left running or mounted.
     */
    static NydusdProcess mount(Path log, Path mp, Map<String, String> env, List<String> args) throws Exception {
        NydusdProcess p = start(log, mp, env, args.toArray(new String[0]));
        try {
            p.awaitMounted(Duration.ofSeconds(60));
            return p;
        } catch (Throwable t) {
            p.close();
            throw t;
        }
    }

    /** SIGTERM, then the exit status must be 0 and the mount gone. */
    void stop() throws Exception {
        signal("TERM");
        int status = awaitExit(Duration.ofSeconds(30));
        if (status != 0) {
            throw new AssertionError("nydusd exited with " + status + " on SIGTERM:\n" + log());
        }
        if (isMounted(mountpoint)) {
            throw new AssertionError(mountpoint + " still mounted after nydusd exited");
        }
    }

    /** Runs nydusd to completion (for startup failures); returns the exit status. */
    static int runToExit(Path log, String... args) throws IOException, InterruptedException {
        try (NydusdProcess p = start(log, null, args)) {
            if (!p.process.waitFor(60, TimeUnit.SECONDS)) {
                throw new AssertionError("nydusd did not exit:\n" + p.log());
            }
            return p.process.exitValue();
        }
    }

    Path mountpoint() {
        return mountpoint;
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    String log() throws IOException {
        return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
    }

    /** Waits until the mountpoint is a FUSE mount served by this process. */
    void awaitMounted(Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError("nydusd exited with " + process.exitValue() + " before mounting:\n" + log());
            }
            if (isFuseMount(mountpoint) && log().contains("(RUNNING)")) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("nydusd did not mount " + mountpoint + " within " + timeout + ":\n" + log());
    }

    /** Sends a signal by name (TERM, INT, KILL). */
    void signal(String name) throws IOException, InterruptedException {
        if (!signalIfAlive(name)) {
            throw new IOException("kill -" + name + " failed: nydusd has exited");
        }
    }

    /** Sends the signal unless the daemon has already exited (then false). */
    boolean signalIfAlive(String name) throws IOException, InterruptedException {
        Process k = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid()))
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        if (k.waitFor() == 0) {
            return true;
        }
        // kill fails with ESRCH only once the JDK has reaped the daemon, so isAlive is false by then.
        if (process.isAlive()) {
            throw new IOException("kill -" + name + " failed while nydusd runs");
        }
        return false;
    }

    /** Waits for the exit status; fails the test when the daemon does not exit in time. */
    int awaitExit(Duration timeout) throws InterruptedException, IOException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("nydusd did not exit within " + timeout + ":\n" + log());
        }
        return process.exitValue();
    }

    static boolean isFuseMount(Path mp) throws IOException {
        if (mp == null) {
            return false;
        }
        for (String line : Files.readAllLines(Path.of("/proc/self/mounts"))) {
            String[] f = line.split(" ");
            if (f.length > 2 && f[1].equals(mp.toString()) && f[2].startsWith("fuse")) {
                return true;
            }
        }
        return false;
    }

    static boolean isMounted(Path mp) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/mounts"))) {
            String[] f = line.split(" ");
            if (f.length > 1 && f[1].equals(mp.toString())) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void close() throws IOException, InterruptedException {
        try {
            if (process.isAlive()) {
                process.destroyForcibly();
                process.waitFor(30, TimeUnit.SECONDS);
            }
        } finally {
            while (mountpoint != null && isMounted(mountpoint)) {
                Mounts.umount2(mountpoint, Mounts.MNT_DETACH);
            }
        }
    }
}
