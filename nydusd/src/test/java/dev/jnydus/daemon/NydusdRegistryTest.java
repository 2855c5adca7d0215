package dev.jnydus.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jnydus.builder.BuildOptions;
import dev.jnydus.common.Compressor;
import dev.jnydus.common.Digester;
import dev.jnydus.daemon.RegistryMountConfig.Format;
import dev.jnydus.testkit.Privileged;
import dev.jnydus.testkit.TestTrees;
import dev.jnydus.testkit.registry.RegistryServer;
import dev.jnydus.testkit.registry.TokenIssuer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Images made by the project's builder (RAFS v6 zstd, RAFS v5 lz4_block), their blobs pushed to a
 * real registry (the distribution registry: anonymous, htpasswd basic auth, bearer tokens), mounted
 * by {@code nydusd} with a registry backend and compared with the source tree byte for byte.
 */
@Tag("privileged")
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class NydusdRegistryTest {
    private static final String REPO = "jnydus/e2e";
    private static final String USER = "puller";
    private static final String PASSWORD = "s3cret-pass";

    private static Path work;
    private static Path src;
    private static BuiltImage v6;
    private static BuiltImage v5;
    private static RegistryServer anonymous;
    private static RegistryServer basic;
    private static TokenIssuer issuer;
    private static RegistryServer tokens;

    private NydusdProcess daemon;

    @BeforeAll
    static void buildAndPush() throws Exception {
        Privileged.requireFuse();
        for (String tool : new String[] {"getfattr", "diff", RegistryServer.BINARY, "htpasswd"}) {
            Privileged.requireTool(tool);
        }
        work = Files.createTempDirectory("nydusd-registry-test");
        src = TestTrees.generate(work.resolve("src"), TestTrees.Options.defaults().withMaxFileSize(2L * TestTrees.MIB)
                .withRandomFiles(8).withBigDirEntries(200));
        v6 = BuiltImage.build(src, work, "v6", BuildOptions.defaults().withFsVersion(6).withCompressor(Compressor.ZSTD)
                .withDigester(Digester.BLAKE3));
        v5 = BuiltImage.build(src, work, "v5", BuildOptions.defaults().withFsVersion(5)
                .withCompressor(Compressor.LZ4_BLOCK).withDigester(Digester.SHA256));
        anonymous = RegistryServer.anonymous().start();
        basic = RegistryServer.htpasswd(USER, PASSWORD).start();
        issuer = TokenIssuer.start().withUser(USER, PASSWORD);
        tokens = RegistryServer.token(issuer, USER, PASSWORD).start();
        for (RegistryServer reg : List.of(anonymous, basic, tokens)) {
            v6.pushTo(reg, REPO);
            v5.pushTo(reg, REPO);
        }
    }

    @AfterAll
    static void cleanUp() throws Exception {
        for (AutoCloseable c : new AutoCloseable[] {anonymous, basic, tokens, issuer}) {
            if (c != null) {
                c.close();
            }
        }
        if (work != null) {
            Privileged.run("rm", "-rf", work.toString());
        }
    }

    @AfterEach
    void stopDaemon() throws Exception {
        if (daemon != null) {
            daemon.close();
            daemon = null;
        }
    }

    /** Mounts {@code image} with {@code config} written as {@code format}; returns the mountpoint. */
    private Path mount(String name, BuiltImage image, RegistryMountConfig config, Format format,
                       Map<String, String> env) throws Exception {
        Path cfg = config.write(work.resolve(name + ".json"), format);
        Path mp = Files.createDirectories(work.resolve(name + "-mnt"));
        daemon = NydusdProcess.mount(work.resolve(name + ".log"), mp, env, List.of("--mountpoint", mp.toString(),
                "--config", cfg.toString(), "--bootstrap", image.bootstrap().toString(), "--log-level", "info"));
        return mp;
    }

    private void assertTreeAndStop(Path mp, long readsBefore, RegistryServer reg) throws Exception {
        TreeCompare.assertSameTree(src, mp, true);
        assertThat(reg.blobReads() - readsBefore).as("blob reads the registry served").isPositive();
        assertThat(daemon.log()).doesNotContain(" ERROR ");
        daemon.stop();
    }

    @Test
    void v6FromAnAnonymousRegistryWithAV2Config() throws Exception {
        long before = anonymous.blobReads();
        Path mp = mount("anon-v6", v6, RegistryMountConfig.of(anonymous, REPO).blobcache(work.resolve("anon-v6-cache")),
                Format.V2, Map.of());
        assertTreeAndStop(mp, before, anonymous);
    }

    @Test
    void v5FromAnAnonymousRegistryWithAV1ConfigAndNoCache() throws Exception {
        long before = anonymous.blobReads();
        Path mp = mount("anon-v5", v5, RegistryMountConfig.of(anonymous, REPO).dummycache(), Format.V1, Map.of());
        assertTreeAndStop(mp, before, anonymous);
    }

    @Test
    void basicAuthFromTheConfig() throws Exception {
        long before = basic.blobReads();
        Path mp = mount("basic-v6", v6, RegistryMountConfig.of(basic, REPO).auth(basic.basicAuth())
                .blobcache(work.resolve("basic-v6-cache")), Format.V2, Map.of());
        assertTreeAndStop(mp, before, basic);
    }

    @Test
    void basicAuthFromImagePullAuthWithAV1Config() throws Exception {
        long before = basic.blobReads();
        Path mp = mount("basic-v5-env", v5, RegistryMountConfig.of(basic, REPO).blobcache(work.resolve("basic-v5-cache")),
                Format.V1, Map.of("IMAGE_PULL_AUTH", basic.basicAuth()));
        assertTreeAndStop(mp, before, basic);
    }

    @Test
    void withoutCredentialsTheProtectedRegistryGivesEioNotData() throws Exception {
        Path mp = mount("basic-none", v6, RegistryMountConfig.of(basic, REPO).network(2, 2, 1)
                .blobcache(work.resolve("basic-none-cache")), Format.V2, Map.of());
        Path file = mp.resolve("files/incompressible.bin");
        assertThat(Files.size(file)).as("metadata comes from the bootstrap").isPositive();
        assertThatThrownBy(() -> Files.readAllBytes(file)).isInstanceOf(IOException.class)
                .hasMessageContaining("Input/output error");
        assertThat(daemon.log()).contains("unauthorized");
        daemon.stop();
    }

    @Test
    void bearerTokensFetchedWithTheConfiguredCredentials() throws Exception {
        long before = tokens.blobReads();
        int issued = issuer.tokensIssued();
        Path mp = mount("token-v6", v6, RegistryMountConfig.of(tokens, REPO).auth(tokens.basicAuth())
                .blobcache(work.resolve("token-v6-cache")), Format.V2, Map.of());
        assertTreeAndStop(mp, before, tokens);
        assertThat(issuer.tokensIssued() - issued).as("tokens issued to the daemon").isPositive();
    }

    @Test
    void bearerTokensWithImagePullAuthAndAV1ConfigForV5() throws Exception {
        long before = tokens.blobReads();
        Path mp = mount("token-v5", v5, RegistryMountConfig.of(tokens, REPO).dummycache(), Format.V1,
                Map.of("IMAGE_PULL_AUTH", tokens.basicAuth()));
        assertTreeAndStop(mp, before, tokens);
    }
}
