package dev.jnydus.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/** Every example document of spec 2.9 parses to the values it spells out. */
class ExampleDocumentsTest {
    static final List<String> CONFIGS = Examples.CONFIGS;

    @ParameterizedTest
    @FieldSource("CONFIGS")
    void everyExampleConfigParsesAndValidates(String name) throws Exception {
        NydusConfig c = NydusConfig.parse(Examples.text(name));
        c.validate();
        assertThat(c.backend()).isPresent();
        assertThat(c.cache()).isPresent();
        assertThat(c.rafs()).isPresent();
    }

    @Test
    void v1RegistryExampleIsConvertedFieldByField() throws Exception {
        NydusConfig c = NydusConfig.parse(Examples.text(Examples.V1_REGISTRY));

        ProxyConfig proxy = new ProxyConfig("http://127.0.0.1:65001",
                "http://127.0.0.1:40901/server/ping", true, 5, false, 300, "");
        ConnectionConfig conn = new ConnectionConfig(false, List.of(), 5, 5, 2, proxy, List.of());
        RegistryConfig registry = new RegistryConfig("https", "ghcr.io", "example/app",
                Optional.of("dXNlcjpwYXNzd29yZA=="), Optional.empty(), "", "", conn);
        PrefetchConfig prefetch = new PrefetchConfig(true, 8, 1048576, 0, true, false);
        CacheConfig cache = new CacheConfig("blobcache", false, false, prefetch,
                Optional.of(new FileCacheConfig(
                        "/var/lib/containerd/io.containerd.snapshotter.v1.nydus/cache", false, false,
                        false, "", 0)),
                Optional.empty());
        RafsConfig rafs = new RafsConfig("direct", 1048576, false, true, false, false, false, prefetch);
        NydusConfig expected = new NydusConfig("/42", Optional.of(registry), List.of(),
                Optional.of(cache), Optional.of(rafs), Optional.empty());

        assertThat(c).isEqualTo(expected);
        assertThat(c.cache().get().kind()).isEqualTo(CacheConfig.Kind.FILE_CACHE);
        assertThat(c.cache().get().workDir())
                .contains("/var/lib/containerd/io.containerd.snapshotter.v1.nydus/cache");
    }

    @Test
    void v1OssExampleKeepsThrottledHintedPrefetch() throws Exception {
        NydusConfig c = NydusConfig.parse(Examples.text(Examples.V1_OSS));

        OssConfig oss = (OssConfig) c.backend().get();
        assertThat(oss.endpoint()).isEqualTo("oss-cn-hangzhou.aliyuncs.com");
        assertThat(oss.bucketName()).isEqualTo("nydus-images");
        assertThat(oss.objectPrefix()).isEqualTo("blobs/");
        assertThat(oss.accessKeyId()).isEqualTo("EXAMPLEKEYID");
        assertThat(oss.accessKeySecret()).isEqualTo("EXAMPLESECRET");
        assertThat(oss.connection().timeout()).isEqualTo(30);
        assertThat(oss.connection().retryLimit()).isEqualTo(3);
        assertThat(oss.connection().proxy()).isEqualTo(ProxyConfig.DEFAULT);

        RafsConfig rafs = c.rafs().get();
        assertThat(rafs.batchSize()).isEqualTo(524288);
        assertThat(rafs.iostatsFiles()).isTrue();
        assertThat(rafs.accessPattern()).isTrue();
        assertThat(rafs.latestReadFiles()).isTrue();
        assertThat(rafs.enableXattr()).isFalse();
        assertThat(rafs.prefetch()).isEqualTo(new PrefetchConfig(true, 4, 131072, 20971520, false, false));
        assertThat(c.cache().get().validate()).isTrue();
        assertThat(c.cache().get().prefetch()).isEqualTo(rafs.prefetch());
        assertThat(c.isChunkValidationEnabled()).isTrue();
        assertThat(c.id()).isEqualTo("oss-image");
    }

    @Test
    void v2TomlExampleReadsTablesAndDefaults() throws Exception {
        NydusConfig c = NydusConfig.parse(Examples.text(Examples.V2_TOML));

        assertThat(c.id()).isEqualTo("/");
        RegistryConfig r = (RegistryConfig) c.backend().get();
        assertThat(r.host()).isEqualTo("registry.example.com");
        assertThat(r.repo()).isEqualTo("library/busybox");
        assertThat(r.auth()).contains("dXNlcjpwYXNzd29yZA==");
        assertThat(r.connection().retryLimit()).isEqualTo(2);
        assertThat(r.connection().proxy()).isEqualTo(new ProxyConfig("http://127.0.0.1:65001",
                "http://127.0.0.1:40901/server/ping", true, 5, false, 300, ""));
        CacheConfig cache = c.cache().get();
        assertThat(cache.type()).isEqualTo("filecache");
        assertThat(cache.fileCache().get().workDir()).isEqualTo("/var/lib/nydus/cache");
        // cache.prefetch has no prefetch_all key: the v2 default is false.
        assertThat(cache.prefetch()).isEqualTo(new PrefetchConfig(true, 8, 1048576, 0, false, false));
        assertThat(c.rafs().get().prefetch()).isEqualTo(new PrefetchConfig(true, 8, 1048576, 0, true, false));
        assertThat(c.rafs().get().enableXattr()).isTrue();
        assertThat(c.overlay()).isEmpty();
    }

    @Test
    void v2S3ExampleHasOverlayAndDisabledPrefetch() throws Exception {
        NydusConfig c = NydusConfig.parse(Examples.text(Examples.V2_S3));

        S3Config s3 = (S3Config) c.backend().get();
        assertThat(s3.region()).isEqualTo("us-east-1");
        assertThat(s3.endpoint()).isEqualTo("s3.us-east-1.amazonaws.com");
        assertThat(s3.bucketName()).isEqualTo("nydus-blobs");
        assertThat(s3.connection().timeout()).isEqualTo(10);
        assertThat(s3.connection().retryLimit()).isZero();
        assertThat(c.overlay()).contains(new OverlayConfig("/var/lib/nydus/upper", "/var/lib/nydus/work"));
        // A present prefetch object with only "enable" takes the per-field defaults.
        assertThat(c.rafs().get().prefetch()).isEqualTo(new PrefetchConfig(false, 8, 1048576, 0, false, false));
        assertThat(c.rafs().get().batchSize()).isEqualTo(524288);
        assertThat(c.cache().get().validate()).isTrue();
    }

    @Test
    void snapshotterDocumentIgnoresItsExtraKeys() throws Exception {
        NydusConfig c = NydusConfig.parse(Examples.text(Examples.SNAPSHOTTER_FUSE));

        RegistryConfig r = (RegistryConfig) c.backend().get();
        // "proxy": {"fallback": false} is always written by the snapshotter; the URL stays empty.
        assertThat(r.connection().proxy().enabled()).isFalse();
        assertThat(r.connection().proxy().fallback()).isFalse();
        assertThat(r.connection().proxy().checkInterval()).isEqualTo(5);
        assertThat(c.id()).isEqualTo("/42");
    }

    @Test
    void legacyBlobCacheEntryIsConverted() throws Exception {
        BlobCacheEntry e = BlobCacheEntry.parse(Examples.text(Examples.ENTRY_LEGACY));

        assertThat(e.type()).isEqualTo(BlobCacheEntry.TYPE_BOOTSTRAP);
        assertThat(e.isBootstrap()).isTrue();
        assertThat(e.blobId()).isEqualTo("b5c1…fscache-id");
        assertThat(e.key()).isEqualTo("b5c1…fscache-id/b5c1…fscache-id");
        BlobCacheConfig cfg = e.config();
        assertThat(cfg.id()).isEqualTo("b5c1…fscache-id");
        assertThat(cfg.metadataPath()).contains(
                "/var/lib/containerd/io.containerd.snapshotter.v1.nydus/snapshots/17/fs/image/image.boot");
        RegistryConfig r = (RegistryConfig) cfg.backend();
        assertThat(r.host()).isEqualTo("ghcr.io");
        assertThat(r.scheme()).isEqualTo("https");
        assertThat(cfg.cache().type()).isEqualTo("fscache");
        assertThat(cfg.cache().fsCache()).contains(
                new FsCacheConfig("/var/lib/containerd/io.containerd.snapshotter.v1.nydus/cache"));
        // Legacy prefetch_config converts with prefetch_all = true.
        assertThat(cfg.cache().prefetch()).isEqualTo(new PrefetchConfig(true, 8, 1048576, 0, true, false));
        NydusConfig n = cfg.toNydusConfig();
        assertThat(n.isFsCache()).isTrue();
        assertThat(n.rafs()).isEmpty();
        n.validate();
    }

    @Test
    void v2BlobCacheEntryKeepsItsDomain() throws Exception {
        BlobCacheEntry e = BlobCacheEntry.parse(Examples.text(Examples.ENTRY_V2));

        assertThat(e.key()).isEqualTo("domain1/image1");
        assertThat(e.config().backend()).isEqualTo(LocalFsConfig.ofDir("/var/lib/nydus/blobs"));
        assertThat(e.config().cache().fsCache()).contains(new FsCacheConfig("/var/cache/fscache"));
        assertThat(e.config().cache().prefetch()).isEqualTo(new PrefetchConfig(true, 4, 1048576, 0, false, false));
        assertThat(e.config().metadataPath()).contains("/var/lib/nydus/bootstraps/image1.boot");
    }

    @Test
    void snapshotterFscacheEntryParses() throws Exception {
        BlobCacheEntry e = BlobCacheEntry.parse(Examples.text(Examples.SNAPSHOTTER_FSCACHE));

        RegistryConfig r = (RegistryConfig) e.config().backend();
        assertThat(r.registryToken()).contains("tok3n");
        assertThat(r.auth()).isEmpty();
        assertThat(e.config().cache().prefetch().prefetchAll()).isTrue();
    }

    /** Saved state keeps entries as JSON: every example reads back to an equal entry, secrets included. */
    @Test
    void blobCacheEntriesRoundTripThroughTheirJson() throws Exception {
        for (String name : Examples.ENTRIES) {
            BlobCacheEntry e = BlobCacheEntry.parse(Examples.text(name));
            assertThat(BlobCacheEntry.parse(e.toJson())).as(name).isEqualTo(e);
        }
    }
}
