package dev.jnydus.fuse.transport.dev;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jnydus.fuse.server.Server;
import dev.jnydus.sys.Fd;
import dev.jnydus.sys.FdMessage;
import dev.jnydus.sys.Mounts;
import dev.jnydus.sys.UnixSockets;
import dev.jnydus.testkit.Privileged;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A FUSE session handed from one server to the next with a request in flight (spec 4.6, 8): the
 * request a server read and never answered stays with the session's open file, which the
 * supervisor holds, and {@code FUSE_NOTIFY_RESEND} gives it to the successor; the reader sees a
 * stall, not an error.
 */
@Tag("privileged")
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SessionHandoverTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path tmp;

    private static CompletableFuture<byte[]> readAsync(Path file) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return Files.readAllBytes(file);
            } catch (java.io.IOException e) {
                throw new RuntimeException(e);
            }
        });
    }

    @Test
    void aRequestInFlightWhenTheServerIsKilledIsServedByTheNextOne() throws Exception {
        Privileged.requireFuse();
        Path mp = Files.createDirectory(tmp.resolve("mnt"));
        Path sock = tmp.resolve("supervisor.sock");
        String java = ProcessHandle.current().info().command().orElse("java");
        Process child = null;
        FuseSession session = null;
        FuseWorkers workers = null;
        try (Fd listening = UnixSockets.listenUnix(sock, 1)) {
            child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                    HandoverMain.class.getName(), mp.toString(), sock.toString()).redirectErrorStream(true).start();
            BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
            Fd held;
            try (Fd conn = UnixSockets.accept(listening); FdMessage m = FdMessage.receive(conn, 4, WAIT)) {
                held = m.take(0);
            }
            awaitLine(out, "READY");
            assertThat(Files.readAllBytes(mp.resolve("hello"))).isEqualTo(TestTree.HELLO);

            CompletableFuture<byte[]> reader = readAsync(mp.resolve("big"));
            awaitLine(out, "STALLED");
            child.destroyForcibly();
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
            // The killed server's descriptors are closed; the request it took lives on in ours.
            session = FuseSession.adopt(held, mp, true);
            workers = FuseWorkers.start(session, Server.builder(TestTree.build()).build(), 2);
            session.notifyResend();
            assertThat(reader.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(TestTree.big());
            assertThat(Files.readAllBytes(mp.resolve("hello"))).isEqualTo(TestTree.HELLO);
        } finally {
            if (child != null) {
                child.destroyForcibly();
                child.waitFor(30, TimeUnit.SECONDS);
            }
            if (session != null) {
                session.close();
            }
            if (workers != null) {
                assertThat(workers.awaitTermination(Duration.ofSeconds(10))).isTrue();
                assertThat(workers.failure()).isNull();
            }
            if (DevFuseMountTest.mounted(mp)) {
                Mounts.umount2(mp, Mounts.MNT_DETACH);
            }
        }
    }

    @Test
    void duringAnUpgradeTheOldServersLateAnswerIsDroppedAndTheNewOneAnswers() throws Exception {
        Privileged.requireFuse();
        Path mp = Files.createDirectory(tmp.resolve("mnt"));
        StallingFileSystem oldFs = new StallingFileSystem(TestTree.build(), "big", () -> { });
        FuseSession session = FuseSession.mount(MountOptions.builder(mp).build());
        FuseWorkers oldWorkers = null;
        FuseWorkers newWorkers = null;
        try {
            oldWorkers = FuseWorkers.start(session, Server.builder(oldFs).build(), 2);
            CompletableFuture<byte[]> reader = readAsync(mp.resolve("big"));
            assertThat(oldFs.stalled().await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
            // The successor serves the same session (its own duplicate, as received) and asks for
            // the requests in flight, while the old server still runs.
            newWorkers = FuseWorkers.start(session, Server.builder(TestTree.build()).build(), 2);
            session.notifyResend();
            assertThat(reader.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(TestTree.big());
            // The old server's answer to the original request comes too late: ENOENT, dropped.
            oldFs.release();
            oldWorkers.stop();
            assertThat(oldWorkers.awaitTermination(WAIT)).isTrue();
            assertThat(oldWorkers.failure()).as("a late answer is not a failure").isNull();
            assertThat(Files.readAllBytes(mp.resolve("hello"))).isEqualTo(TestTree.HELLO);
        } finally {
            oldFs.release();
            session.close();
            for (FuseWorkers w : new FuseWorkers[] {oldWorkers, newWorkers}) {
                if (w != null) {
                    assertThat(w.awaitTermination(Duration.ofSeconds(10))).isTrue();
                    assertThat(w.failure()).isNull();
                }
            }
            if (DevFuseMountTest.mounted(mp)) {
                Mounts.umount2(mp, Mounts.MNT_DETACH);
            }
        }
    }

    private static void awaitLine(BufferedReader out, String want) throws Exception {
        String line = CompletableFuture.supplyAsync(() -> {
            try {
                String l;
                while ((l = out.readLine()) != null && !l.equals(want)) {
                    // log noise
                }
                return l;
            } catch (java.io.IOException e) {
                return null;
            }
        }).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(line).as("child said %s", want).isEqualTo(want);
    }
}
