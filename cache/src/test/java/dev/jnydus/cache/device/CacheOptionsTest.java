package dev.jnydus.cache.device;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class CacheOptionsTest {
    private static final Path DIR = Path.of("/cache");

    @Test
    void anUncompressedCacheFileLeavesTheMemoryCacheUnused() {
        assertThat(CacheOptions.builder(CacheType.BLOBCACHE).workDir(DIR).build().usesMemoryCache()).isFalse();
    }

    @Test
    void dummycacheAndACacheOfCompressedChunksUseIt() {
        assertThat(CacheOptions.builder(CacheType.DUMMYCACHE).build().usesMemoryCache()).isTrue();
        assertThat(CacheOptions.builder(CacheType.BLOBCACHE).workDir(DIR).compressed(true).build().usesMemoryCache())
                .isTrue();
    }

    @Test
    void aZeroBoundTurnsItOff() {
        assertThat(CacheOptions.builder(CacheType.DUMMYCACHE).memoryCacheBytes(0).build().usesMemoryCache()).isFalse();
    }
}
