package dev.jnydus.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jnydus.cache.device.CacheOptions;
import dev.jnydus.cache.device.CacheType;
import dev.jnydus.config.NydusConfig;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** What the daemon hands the cache from a configuration document. */
class CacheOptionsMappingTest {
    @Test
    void v1BlobcacheDocumentMapsOntoCacheOptions() throws Exception {
        NydusConfig c = NydusConfig.parse("""
                {"device": {"backend": {"type": "localfs", "config": {"dir": "/b"}},
                            "cache": {"type": "blobcache", "config": {"work_dir": "/c", "space_limit": 8388608}}},
                 "mode": "direct", "digest_validate": false, "amplify_io": 262144,
                 "fs_prefetch": {"enable": true, "threads_count": 3, "merging_size": 131072, "bandwidth_rate": 1000000}}
                """);
        CacheOptions o = RafsInstance.cacheOptions(c.cacheOrThrow(), c.rafsOrThrow());
        assertThat(o.type()).isEqualTo(CacheType.BLOBCACHE);
        assertThat(o.workDir()).isEqualTo(Path.of("/c"));
        assertThat(o.spaceLimitBytes()).isEqualTo(8 << 20);
        assertThat(o.amplifyIo()).isEqualTo(262144);
        assertThat(o.prefetch().threadsCount()).isEqualTo(3);
        assertThat(o.prefetch().mergingSize()).isEqualTo(131072);
        assertThat(o.prefetch().bandwidthRate()).isEqualTo(1_000_000);
    }

    @Test
    void dummycacheHasNoWorkDirAndNoLimit() throws Exception {
        NydusConfig c = NydusConfig.parse("""
                {"device": {"backend": {"type": "localfs", "config": {"dir": "/b"}},
                            "cache": {"type": "dummycache"}}, "mode": "direct", "amplify_io": 0}
                """);
        CacheOptions o = RafsInstance.cacheOptions(c.cacheOrThrow(), c.rafsOrThrow());
        assertThat(o.type()).isEqualTo(CacheType.DUMMYCACHE);
        assertThat(o.spaceLimitBytes()).isZero();
        assertThat(o.amplifyIo()).isZero();
    }
}
