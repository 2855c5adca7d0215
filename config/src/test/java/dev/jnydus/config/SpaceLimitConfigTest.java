package dev.jnydus.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The {@code space_limit} extension of the file cache, in v1 and v2 documents. */
class SpaceLimitConfigTest {
    @Test
    void v2FilecacheTakesASpaceLimit() throws ConfigException {
        NydusConfig c = NydusConfig.parse("""
                {"version": 2, "backend": {"type": "localfs", "localfs": {"dir": "/b"}},
                 "cache": {"type": "filecache", "filecache": {"work_dir": "/c", "space_limit": 1073741824}}}
                """);
        assertThat(c.cacheOrThrow().fileCache().orElseThrow().spaceLimit()).isEqualTo(1L << 30);
        NydusConfig again = NydusConfig.parse(c.toJson());
        assertThat(again.cacheOrThrow().fileCache().orElseThrow().spaceLimit()).isEqualTo(1L << 30);
    }

    @Test
    void v1BlobcacheConfigTakesItTooAndDefaultsToNoLimit() throws ConfigException {
        NydusConfig c = NydusConfig.parse("""
                {"device": {"backend": {"type": "localfs", "config": {"dir": "/b"}},
                            "cache": {"type": "blobcache", "config": {"work_dir": "/c", "space_limit": 5000}}},
                 "mode": "direct"}
                """);
        assertThat(c.cacheOrThrow().fileCache().orElseThrow().spaceLimit()).isEqualTo(5000);
        NydusConfig none = NydusConfig.parse("""
                {"device": {"backend": {"type": "localfs", "config": {"dir": "/b"}},
                            "cache": {"type": "blobcache", "config": {"work_dir": "/c"}}},
                 "mode": "direct"}
                """);
        assertThat(none.cacheOrThrow().fileCache().orElseThrow().spaceLimit()).isZero();
    }

    @Test
    void aWrongTypeNamesTheKey() {
        assertThatThrownBy(() -> NydusConfig.parse("""
                {"version": 2, "backend": {"type": "localfs", "localfs": {"dir": "/b"}},
                 "cache": {"type": "filecache", "filecache": {"work_dir": "/c", "space_limit": "1G"}}}
                """)).isInstanceOf(ConfigException.class).hasMessageContaining("space_limit");
    }
}
