package dev.jnydus.fuse.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class FsOptionsTest {
    @Test
    void bitsMatchTheInstalledKernelHeader() throws Exception {
        Path header = Path.of("/usr/include/linux/fuse.h");
        assumeTrue(Files.exists(header), "linux/fuse.h not installed");
        Matcher m = Pattern.compile("#define FUSE_([A-Z0-9_]+)\\s+\\(1(?:ULL)? << (\\d+)\\)").matcher(Files.readString(header));
        int checked = 0;
        while (m.find()) {
            long bit = 1L << Integer.parseInt(m.group(2));
            try {
                long ours = FsOptions.class.getField(m.group(1)).getLong(null);
                assertThat(ours).as(m.group(1)).isEqualTo(bit);
                checked++;
            } catch (NoSuchFieldException notAnInitFlag) {
                // release, getattr, ioctl... flags share the FUSE_ prefix
            }
        }
        assertThat(checked).isGreaterThanOrEqualTo(30);
    }

    @Test
    void setOperationsAndNames() {
        FsOptions o = FsOptions.of(FsOptions.ASYNC_READ | FsOptions.HAS_RESEND);
        assertThat(o.contains(FsOptions.ASYNC_READ)).isTrue();
        assertThat(o.contains(FsOptions.ASYNC_READ | FsOptions.MAX_PAGES)).isFalse();
        assertThat(o.with(FsOptions.MAX_PAGES).without(FsOptions.ASYNC_READ).names())
                .containsExactly("MAX_PAGES", "HAS_RESEND");
        assertThat(o.and(FsOptions.of(FsOptions.HAS_RESEND))).isEqualTo(FsOptions.of(FsOptions.HAS_RESEND));
        assertThat(FsOptions.of(1L << 62).names()).containsExactly("bit62");
        assertThat(FsOptions.of(0)).isSameAs(FsOptions.NONE);
        assertThat(FsOptions.UPSTREAM_DEFAULTS.contains(FsOptions.NO_OPEN_SUPPORT | FsOptions.DO_READDIRPLUS)).isTrue();
        assertThat(FsOptions.UPSTREAM_DEFAULTS.contains(FsOptions.ATOMIC_O_TRUNC)).isFalse();
    }

    @Test
    void entriesAndAttrs() {
        Attr a = Attr.builder().ino(5).mode(Attr.S_IFLNK | 0777).build();
        assertThat(a.dtype()).isEqualTo(10);
        assertThat(Entry.negative(java.time.Duration.ofSeconds(3)).isNegative()).isTrue();
        org.assertj.core.api.Assertions.assertThatThrownBy(
                () -> new Entry(2, 0, a, java.time.Duration.ofSeconds(-1), java.time.Duration.ZERO))
                .hasMessageContaining("negative");
    }
}
