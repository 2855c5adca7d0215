package dev.jnydus.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/** v1→v2 conversion defaults (spec 2.5), round trips, --localfs-dir and IMAGE_PULL_AUTH. */
class NormalizationTest {
    static final List<String> CONFIGS = Examples.CONFIGS;
    private static final ObjectMapper JSON = new ObjectMapper();

    @ParameterizedTest
    @FieldSource("CONFIGS")
    void normalizedJsonParsesBackToTheSameRecord(String name) throws Exception {
        NydusConfig c = NydusConfig.parse(Examples.text(name));
        String json = c.toJson();

        assertThat(JSON.readTree(json).get("version").asInt()).isEqualTo(2);
        assertThat(NydusConfig.parse(json)).isEqualTo(c);
    }

    @Test
    void v1AndItsHandWrittenV2TwinNormalizeIdentically() throws Exception {
        NydusConfig fromV1 = NydusConfig.parse(Examples.text(Examples.V1_OSS));
        String v2 = "{\"version\": 2, \"id\": \"oss-image\","
                + " \"backend\": {\"type\": \"oss\", \"oss\": {\"scheme\": \"https\","
                + " \"endpoint\": \"oss-cn-hangzhou.aliyuncs.com\", \"bucket_name\": \"nydus-images\","
                + " \"object_prefix\": \"blobs/\", \"access_key_id\": \"EXAMPLEKEYID\","
                + " \"access_key_secret\": \"EXAMPLESECRET\", \"timeout\": 30, \"connect_timeout\": 5,"
                + " \"retry_limit\": 3}},"
                + " \"cache\": {\"type\": \"blobcache\", \"validate\": true,"
                + "   \"filecache\": {\"work_dir\": \"/var/cache/nydus\"},"
                + "   \"prefetch\": {\"enable\": true, \"threads\": 4, \"batch_size\": 131072,"
                + "     \"bandwidth_limit\": 20971520}},"
                + " \"rafs\": {\"batch_size\": 524288, \"iostats_files\": true, \"access_pattern\": true,"
                + "   \"latest_read_files\": true,"
                + "   \"prefetch\": {\"enable\": true, \"threads\": 4, \"batch_size\": 131072,"
                + "     \"bandwidth_limit\": 20971520}}}";

        assertThat(NydusConfig.parse(v2)).isEqualTo(fromV1);
    }

    @Test
    void v1DefaultsFollowUpstreamConverter() throws Exception {
        NydusConfig c = NydusConfig.parse("{\"device\": {\"backend\": {\"type\": \"localfs\","
                + " \"config\": {\"dir\": \"/blobs\"}}}, \"mode\": \"cached\"}");

        assertThat(c.id()).isEmpty();
        assertThat(c.rafs().get()).isEqualTo(new RafsConfig("cached", 1048576, false, false, false,
                false, false, PrefetchConfig.ABSENT));
        assertThat(c.rafs().get().isCachedMode()).isTrue();
        // No cache section is the dummy cache, with v1's blob prefetch default.
        assertThat(c.cache().get()).isEqualTo(new CacheConfig("", false, false,
                V1Converter.V1_BLOB_PREFETCH, Optional.empty(), Optional.empty()));
        assertThat(c.cache().get().kind()).isEqualTo(CacheConfig.Kind.DUMMY);
        assertThat(c.cache().get().workDir()).isEmpty();
        assertThat(c.overlay()).isEmpty();
    }

    @Test
    void v1FsPrefetchObjectTakesPerFieldDefaultsAndIsCopiedToTheCache() throws Exception {
        NydusConfig c = NydusConfig.parse("{\"device\": {\"backend\": {\"type\": \"localfs\","
                + " \"config\": {\"dir\": \"/blobs\"}}, \"cache\": {\"type\": \"fscache\", \"config\": {}}},"
                + " \"mode\": \"direct\", \"fs_prefetch\": {\"enable\": true}}");

        PrefetchConfig expected = new PrefetchConfig(true, 8, 1048576, 0, true, false);
        assertThat(c.rafs().get().prefetch()).isEqualTo(expected);
        assertThat(c.cache().get().prefetch()).isEqualTo(expected);
        // An empty cache config object takes work_dir ".".
        assertThat(c.cache().get().fsCache()).contains(new FsCacheConfig("."));
        assertThat(c.isFsCache()).isTrue();
    }

    @Test
    void disabledFsPrefetchIsNotCopied() throws Exception {
        NydusConfig c = NydusConfig.parse("{\"device\": {\"backend\": {\"type\": \"localfs\","
                + " \"config\": {\"dir\": \"/blobs\"}}}, \"mode\": \"direct\","
                + " \"fs_prefetch\": {\"enable\": false, \"threads_count\": 0}}");

        assertThat(c.cache().get().prefetch()).isEqualTo(V1Converter.V1_BLOB_PREFETCH);
        assertThat(c.rafs().get().prefetch()).isEqualTo(new PrefetchConfig(false, 0, 1048576, 0, true, false));
    }

    @Test
    void v1HttpProxyBackendIsAccepted() throws Exception {
        NydusConfig c = NydusConfig.parse("{\"device\": {\"backend\": {\"type\": \"http-proxy\","
                + " \"config\": {\"addr\": \"http://127.0.0.1:9000\", \"path\": \"/blobs\"}}},"
                + " \"mode\": \"direct\"}");

        assertThat(c.backend().get()).isEqualTo(new HttpProxyConfig("http://127.0.0.1:9000", "/blobs",
                ConnectionConfig.DEFAULT));
    }

    @Test
    void v2SectionsMayBeAbsent() throws Exception {
        NydusConfig c = NydusConfig.parse("{\"version\": 2, \"cache\": null, \"unknown\": [1, 2]}");

        assertThat(c).isEqualTo(new NydusConfig("", Optional.empty(), List.of(), Optional.empty(),
                Optional.empty(), Optional.empty()));
        assertThat(NydusConfig.parse(c.toJson())).isEqualTo(c);
    }

    @Test
    void nonSelectedBackendObjectsAreDropped() throws Exception {
        NydusConfig c = NydusConfig.parse("{\"version\": 2, \"backend\": {\"type\": \"localfs\","
                + " \"localfs\": {\"blob_file\": \"/b\"}, \"oss\": {\"endpoint\": \"e\", \"bucket_name\": \"b\"}}}");

        assertThat(c.backend()).contains(new LocalFsConfig("/b", "", List.of()));
        JsonNode written = JSON.readTree(c.toJson()).get("backend");
        assertThat(written.has("oss")).isFalse();
    }

    @Test
    void legacyMirrorsAreKeptAndMalformedOnesDropped() throws Exception {
        NydusConfig good = NydusConfig.parse("{\"version\": 2, \"backend\": {\"type\": \"registry\","
                + " \"registry\": {\"host\": \"h\", \"repo\": \"r\", \"mirrors\": [{\"host\": \"http://m:65001\","
                + " \"headers\": {\"X-Dragonfly-Registry\": \"https://index.docker.io\"}}]}}}");
        MirrorConfig m = ((RegistryConfig) good.backend().get()).connection().mirrors().get(0);
        assertThat(m).isEqualTo(new MirrorConfig("http://m:65001", "",
                Map.of("X-Dragonfly-Registry", "https://index.docker.io"), 5, 5, 300, false));
        assertThat(NydusConfig.parse(good.toJson())).isEqualTo(good);

        NydusConfig bad = NydusConfig.parse("{\"version\": 2, \"backend\": {\"type\": \"registry\","
                + " \"registry\": {\"host\": \"h\", \"repo\": \"r\", \"mirrors\": \"nope\"}}}");
        assertThat(((RegistryConfig) bad.backend().get()).connection().mirrors()).isEmpty();
    }

    @Test
    void localfsDirSynthesisMatchesUpstreamDocument() throws Exception {
        NydusConfig c = NydusConfig.forLocalfsDir("/var/lib/nydus/\"blobs\"");

        assertThat(c.backend()).contains(LocalFsConfig.ofDir("/var/lib/nydus/\"blobs\""));
        CacheConfig cache = c.cache().get();
        assertThat(cache.type()).isEqualTo(CacheConfig.BLOBCACHE);
        assertThat(cache.compressed()).isFalse();
        assertThat(cache.fileCache()).contains(FileCacheConfig.of("/var/lib/nydus/\"blobs\""));
        assertThat(c.rafs().get().mode()).isEqualTo(RafsConfig.MODE_DIRECT);
        assertThat(c.rafs().get().validate()).isFalse();
        assertThat(c.rafs().get().iostatsFiles()).isFalse();
        assertThat(c.rafs().get().prefetch().enable()).isFalse();
    }

    @Test
    void imagePullAuthReplacesRegistryAuthOnlyWhenSet() throws Exception {
        NydusConfig c = NydusConfig.parse(Examples.text(Examples.V1_REGISTRY));

        assertThat(c.withImagePullAuth(Map.of())).isSameAs(c);
        NydusConfig replaced = c.withImagePullAuth(Map.of("IMAGE_PULL_AUTH", "bmV3OnBhc3M=", "PATH", "/bin"));
        assertThat(((RegistryConfig) replaced.backend().get()).auth()).contains("bmV3OnBhc3M=");
        // Set but empty still overwrites, as upstream's env::var(..).ok() is Some("").
        NydusConfig blank = c.withImagePullAuth(Map.of("IMAGE_PULL_AUTH", ""));
        assertThat(((RegistryConfig) blank.backend().get()).auth()).contains("");
        // Everything else is untouched.
        assertThat(replaced.withRegistryAuth("dXNlcjpwYXNzd29yZA==")).isEqualTo(c);

        NydusConfig oss = NydusConfig.parse(Examples.text(Examples.V1_OSS));
        assertThat(oss.withImagePullAuth(Map.of("IMAGE_PULL_AUTH", "x"))).isSameAs(oss);
    }

    @Test
    void accessorsThatRequireASectionNameIt() throws Exception {
        NydusConfig empty = NydusConfig.parse("{\"version\": 2}");
        org.assertj.core.api.Assertions.assertThatThrownBy(empty::backendOrThrow)
                .hasMessage("invalid configuration: backend: no configuration information for backend");
        org.assertj.core.api.Assertions.assertThatThrownBy(empty::cacheOrThrow)
                .hasMessage("invalid configuration: cache: no configuration information for cache");
        org.assertj.core.api.Assertions.assertThatThrownBy(empty::rafsOrThrow)
                .hasMessage("invalid configuration: rafs: no configuration information for rafs");
        assertThat(empty.isChunkValidationEnabled()).isFalse();
        assertThat(empty.isFsCache()).isFalse();
    }
}
