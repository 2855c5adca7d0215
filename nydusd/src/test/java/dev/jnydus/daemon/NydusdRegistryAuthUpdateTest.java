package dev.jnydus.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jnydus.builder.BuildOptions;
import dev.jnydus.daemon.RegistryMountConfig.Format;
import dev.jnydus.daemon.ctl.ApiClient;
import dev.jnydus.testkit.Privileged;
import dev.jnydus.testkit.registry.RegistryServer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code PUT /api/v1/config?id=/} with {@code registry_auth} hot-swaps the credentials of the
 * running registry backend (spec 2.7, 8): the registry (real, htpasswd basic auth) changes its
 * password under a mounted image; reads of data not cached yet fail with EIO until the snapshotter
 * hands the daemon the new credentials, and then read the right bytes, without a remount.
 */
@Tag("privileged")
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class NydusdRegistryAuthUpdateTest {
    private static final String REPO = "jnydus/auth";
    private static final String USER = "puller";
    private static final String OLD_PASSWORD = "old-pass";
    private static final String NEW_PASSWORD = "rotated-pass";

    @TempDir
    Path tmp;

    private RegistryServer registry;
    private NydusdProcess daemon;

    @BeforeEach
    void setUp() {
        Privileged.requireFuse();
        Privileged.requireTool(RegistryServer.BINARY);
        Privileged.requireTool("htpasswd");
    }

    @AfterEach
    void tearDown() throws Exception {
        if (daemon != null) {
            daemon.close();
        }
        if (registry != null) {
            registry.close();
        }
    }

    private static String basic(String user, String password) {
        return Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    /** Replaces the registry's one user's password (its htpasswd file) and restarts it on the same port. */
    private void rotatePassword(String password) throws Exception {
        registry.stop();
        Process p = new ProcessBuilder("htpasswd", "-Bbn", USER, password).start();
        String line = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(p.waitFor()).isZero();
        Files.writeString(registry.directory().resolve("htpasswd"), line + "\n");
        registry.start();
    }

    @Test
    void newCredentialsReachTheRunningBackend() throws Exception {
        // Two files of 3 MiB each: reading the start of the first never fetches the second's chunks.
        Path src = Files.createDirectories(tmp.resolve("src"));
        Random random = new Random(10);
        byte[] one = new byte[3 << 20];
        byte[] two = new byte[3 << 20];
        random.nextBytes(one);
        random.nextBytes(two);
        Files.createDirectories(src.resolve("a"));
        Files.createDirectories(src.resolve("b"));
        Files.write(src.resolve("a/one.bin"), one);
        Files.write(src.resolve("b/two.bin"), two);
        BuiltImage image = BuiltImage.build(src, tmp, "img", BuildOptions.defaults().withFsVersion(6));
        registry = RegistryServer.htpasswd(USER, OLD_PASSWORD).start();
        image.pushTo(registry, REPO);

        Path cfg = RegistryMountConfig.of(registry, REPO).auth(basic(USER, OLD_PASSWORD)).network(2, 2, 1)
                .blobcache(Files.createDirectories(tmp.resolve("cache"))).write(tmp.resolve("config.json"), Format.V2);
        Path mp = Files.createDirectories(tmp.resolve("mnt"));
        Path sock = tmp.resolve("api.sock");
        daemon = NydusdProcess.mount(tmp.resolve("nydusd.log"), mp, Map.of(), List.of("--mountpoint", mp.toString(),
                "--config", cfg.toString(), "--bootstrap", image.bootstrap().toString(), "--apisock", sock.toString(),
                "--log-level", "info"));
        try (InputStream in = Files.newInputStream(mp.resolve("a/one.bin"))) {
            assertThat(in.readNBytes(4096)).isEqualTo(Arrays.copyOf(one, 4096));
        }

        rotatePassword(NEW_PASSWORD);
        assertThatThrownBy(() -> Files.readAllBytes(mp.resolve("b/two.bin"))).isInstanceOf(IOException.class)
                .hasMessageContaining("Input/output error");

        try (ApiClient api = ApiClient.connect(sock)) {
            ApiClient.Response r = api.send("PUT", "/api/v1/config?id=/",
                    "{\"registry_auth\":\"" + basic(USER, NEW_PASSWORD) + "\"}");
            assertThat(r.status()).as(r.body()).isEqualTo(204);
            assertThat(api.get("/api/v1/config?id=/").body()).contains(basic(USER, NEW_PASSWORD));
        }
        assertThat(Files.readAllBytes(mp.resolve("b/two.bin"))).isEqualTo(two);
        assertThat(Files.readAllBytes(mp.resolve("a/one.bin"))).isEqualTo(one);
        assertThat(daemon.log()).contains("registry_auth of / applied to its registry backend");
        daemon.stop();
    }
}
