package dev.jnydus.fscache.cachefiles;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The test vectors of spec section 8: directories observed in a real cache, hashes recomputed. */
class CookieHashTest {
    @Test
    void matchesTheKernelsHashes() {
        assertThat(CookieHash.volume("erofs,smoke-plain")).isEqualTo(0xf9241da9);
        assertThat(CookieHash.cookie(0xf9241da9, "smoke-plain")).isEqualTo(0x78578a35);
        assertThat(CookieHash.volume("erofs,smoke-domain")).isEqualTo(0x3ea2c695);
        assertThat(CookieHash.cookie(0x3ea2c695, "smoke-meta")).isEqualTo(0x467d3b1a);
        assertThat(CookieHash.cookie(0x3ea2c695,
                "85deb2ebd44dab560a06a2ccffb21b76e5ca704775b0367d2d78f52f6c3469f1")).isEqualTo(0x1f95bdb7);
    }

    @Test
    void namesTheFanOutDirectory() {
        assertThat(CookieHash.fanOutDir("erofs,smoke-plain", "smoke-plain")).isEqualTo("@35");
        assertThat(CookieHash.fanOutDir("erofs,smoke-domain", "smoke-meta")).isEqualTo("@1a");
        assertThat(CookieHash.fanOutDir("erofs,smoke-domain",
                "85deb2ebd44dab560a06a2ccffb21b76e5ca704775b0367d2d78f52f6c3469f1")).isEqualTo("@b7");
    }
}
