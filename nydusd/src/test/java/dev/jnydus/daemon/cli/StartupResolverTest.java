package dev.jnydus.daemon.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jnydus.config.BlobCacheEntry;
import dev.jnydus.config.LocalFsConfig;
import dev.jnydus.config.NydusConfig;
import dev.jnydus.config.RegistryConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StartupResolverTest {
    private static final String V1_REGISTRY = "{\"device\": {\"id\": \"/1\", \"backend\": {\"type\": \"registry\","
            + " \"config\": {\"host\": \"ghcr.io\", \"repo\": \"a/b\", \"auth\": \"b2xkOm9sZA==\"}},"
            + " \"cache\": {\"type\": \"blobcache\", \"config\": {\"work_dir\": \"/cache\"}}}, \"mode\": \"direct\"}";

    @TempDir
    Path dir;

    private StartupPlan resolve(Map<String, String> env, String... argv) throws Exception {
        DaemonArgs args = ((CliParser.Run) CliParser.parse(argv)).args();
        return new StartupResolver(env).resolve(args);
    }

    @Test
    void bootstrapWithConfigFileAppliesImagePullAuth() throws Exception {
        Path cfg = Files.writeString(dir.resolve("cfg.json"), V1_REGISTRY);

        StartupPlan plan = resolve(Map.of("IMAGE_PULL_AUTH", "bmV3Om5ldw=="), "fuse", "-M", "/mnt", "-B", "/img.boot",
                "-C", cfg.toString(), "-m", "/v");

        RafsMount m = plan.startupMount().orElseThrow();
        assertThat(m.bootstrap()).isEqualTo("/img.boot");
        assertThat(m.virtualMountpoint()).isEqualTo("/v");
        assertThat(m.prefetchFiles()).isEmpty();
        assertThat(((RegistryConfig) m.config().backend().get()).auth()).contains("bmV3Om5ldw==");
        assertThat(m.config().withRegistryAuth("b2xkOm9sZA==")).isEqualTo(NydusConfig.parse(V1_REGISTRY));
        assertThat(plan.singletonBlobs()).isEmpty();
    }

    @Test
    void withoutImagePullAuthTheConfigIsKept() throws Exception {
        Path cfg = Files.writeString(dir.resolve("cfg.json"), V1_REGISTRY);

        StartupPlan plan = resolve(Map.of(), "-M", "/mnt", "-B", "/img.boot", "-C", cfg.toString());

        assertThat(plan.startupMount().orElseThrow().config()).isEqualTo(NydusConfig.parse(V1_REGISTRY));
    }

    @Test
    void bootstrapWithLocalfsDirSynthesizesTheConfig() throws Exception {
        StartupPlan plan = resolve(Map.of("IMAGE_PULL_AUTH", "x"), "-M", "/mnt", "-B", "/img.boot", "-D", "/blobs");

        NydusConfig c = plan.startupMount().orElseThrow().config();
        assertThat(c).isEqualTo(NydusConfig.forLocalfsDir("/blobs"));
        assertThat(c.backend()).contains(LocalFsConfig.ofDir("/blobs"));
    }

    @Test
    void bootstrapNeedsAConfigSource() {
        assertThatThrownBy(() -> resolve(Map.of(), "-M", "/mnt", "-B", "/img.boot"))
                .isInstanceOf(StartupException.class)
                .hasMessage("both --config and --localfs-dir are missing");
    }

    @Test
    void withoutBootstrapNothingIsMountedAndConfigIsNotRead() throws Exception {
        StartupPlan plan = resolve(Map.of(), "-M", "/mnt", "-C", dir.resolve("absent.json").toString(),
                "--apisock", "/api.sock");

        assertThat(plan.startupMount()).isEmpty();
    }

    @Test
    void badConfigFilesFailStartupWithTheConfigMessage() throws Exception {
        Path cfg = Files.writeString(dir.resolve("bad.json"), "{\"version\": 2, \"rafs\": {\"mode\": \"lazy\"}}");

        assertThatThrownBy(() -> resolve(Map.of(), "-M", "/mnt", "-B", "/b", "-C", cfg.toString()))
                .isInstanceOf(StartupException.class)
                .hasMessage("invalid configuration: rafs.mode: must be \"direct\" or \"cached\", got \"lazy\"");
        assertThatThrownBy(() -> resolve(Map.of(), "-M", "/mnt", "-B", "/b", "-C", dir.resolve("none.json").toString()))
                .isInstanceOf(StartupException.class)
                .hasMessageStartingWith("failed to read configuration file: ")
                .hasMessageEndingWith("none.json: No such file or directory");
    }

    @Test
    void prefetchListIsTrimmedWithoutBlankLines() throws Exception {
        Path list = Files.writeString(dir.resolve("prefetch"), "  /usr/bin \n\n\t\n/etc/passwd\r\n   \n/\n");

        StartupPlan plan = resolve(Map.of(), "-M", "/mnt", "-B", "/b", "-D", "/blobs", "--prefetch-files", list.toString());

        assertThat(plan.startupMount().orElseThrow().prefetchFiles()).contains(List.of("/usr/bin", "/etc/passwd", "/"));
        Path empty = Files.writeString(dir.resolve("empty"), "\n \n");
        assertThat(resolve(Map.of(), "-M", "/mnt", "-B", "/b", "-D", "/d", "--prefetch-files", empty.toString())
                .startupMount().orElseThrow().prefetchFiles()).contains(List.of());
    }

    @Test
    void unreadablePrefetchListIsAStartupError() {
        assertThatThrownBy(() -> resolve(Map.of(), "-M", "/mnt", "-B", "/b", "-D", "/d",
                "--prefetch-files", dir.toString()))
                .isInstanceOf(StartupException.class)
                .hasMessage("the prefetch-files arg is not a file path");
    }

    @Test
    void sharedDirAndVirtiofsAreNotSupported() {
        assertThatThrownBy(() -> resolve(Map.of(), "-M", "/mnt", "--shared-dir", "/srv"))
                .isInstanceOf(StartupException.class)
                .hasMessage("--shared-dir (passthrough filesystem) is not supported yet");
        assertThatThrownBy(() -> resolve(Map.of(), "virtiofs", "--sock", "/vhost.sock"))
                .isInstanceOf(StartupException.class)
                .hasMessageStartingWith("the virtiofs subcommand is not supported");
    }

    @Test
    void singletonReadsTheBlobListFromConfig() throws Exception {
        String entry = "{\"type\": \"bootstrap\", \"id\": \"img\", \"domain_id\": \"d\", \"config_v2\": {\"version\": 2,"
                + " \"backend\": {\"type\": \"localfs\", \"localfs\": {\"dir\": \"/blobs\"}},"
                + " \"cache\": {\"type\": \"fscache\", \"fscache\": {\"work_dir\": \"/c\"}},"
                + " \"metadata_path\": \"/img.boot\"}}";
        Path cfg = Files.writeString(dir.resolve("singleton.json"), "{\"blobs\": [" + entry + "]}");

        StartupPlan plan = resolve(Map.of("IMAGE_PULL_AUTH", "x"), "singleton", "--fscache", "/var/cache/fscache",
                "--config", cfg.toString());

        assertThat(plan.startupMount()).isEmpty();
        assertThat(plan.singletonBlobs()).extracting(BlobCacheEntry::key).containsExactly("d/img");
        assertThat(resolve(Map.of(), "singleton").singletonBlobs()).isEmpty();

        Path bad = Files.writeString(dir.resolve("bad.json"), "blobs = []");
        assertThatThrownBy(() -> resolve(Map.of(), "singleton", "-C", bad.toString()))
                .isInstanceOf(StartupException.class)
                .hasMessageStartingWith("invalid configuration file " + bad + ": failed to parse configuration "
                        + "information: invalid JSON");
    }
}
