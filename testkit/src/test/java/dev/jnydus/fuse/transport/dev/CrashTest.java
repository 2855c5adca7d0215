package dev.jnydus.fuse.transport.dev;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jnydus.sys.Mounts;
import dev.jnydus.testkit.Privileged;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A daemon killed with SIGKILL leaves a mount whose users get ENOTCONN instead of hanging. */
@Tag("privileged")
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CrashTest {
    @TempDir
    Path tmp;

    @Test
    void killingTheServingProcessGivesReadersEnotconn() throws Exception {
        Privileged.requireFuse();
        Path mp = Files.createDirectory(tmp.resolve("mnt"));
        String java = ProcessHandle.current().info().command().orElse("java");
        Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                ServeMain.class.getName(), mp.toString()).redirectErrorStream(true).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
            String line = CompletableFuture.supplyAsync(() -> {
                try {
                    String l;
                    while ((l = out.readLine()) != null && !l.equals("READY")) {
                        // skip log noise
                    }
                    return l;
                } catch (java.io.IOException e) {
                    return null;
                }
            }).get(60, TimeUnit.SECONDS);
            assertThat(line).as("child mounted").isEqualTo("READY");
            assertThat(Files.readAllBytes(mp.resolve("hello"))).isEqualTo(TestTree.HELLO);

            child.destroyForcibly();
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();

            CompletableFuture<Throwable> access = CompletableFuture.supplyAsync(() -> {
                try {
                    Files.readAllBytes(mp.resolve("big"));
                    return null;
                } catch (Throwable t) {
                    return t;
                }
            });
            Throwable t = access.get(20, TimeUnit.SECONDS);
            assertThat(t).as("a reader after the crash fails, and does not hang").isInstanceOf(FileSystemException.class);
            assertThat(t.getMessage()).contains("Transport endpoint is not connected");
            assertThatThrownBy(() -> Files.list(mp).close()).hasMessageContaining("Transport endpoint is not connected");
        } finally {
            child.destroyForcibly();
            child.waitFor(30, TimeUnit.SECONDS);
            if (DevFuseMountTest.mounted(mp)) {
                Mounts.umount2(mp, Mounts.MNT_DETACH);
            }
        }
        assertThat(DevFuseMountTest.mounted(mp)).isFalse();
    }
}
