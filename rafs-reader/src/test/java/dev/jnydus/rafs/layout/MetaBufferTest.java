package dev.jnydus.rafs.layout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jnydus.rafs.metadata.RafsFormatException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class MetaBufferTest {
    private static final MetaBuffer META = MetaBuffer.wrap("..abc".getBytes(StandardCharsets.US_ASCII));

    @Test
    void compareNameOrdersLikeMemcmpThenLength() throws Exception {
        assertThat(META.compareName(2, 3, bytes("abc"), "name")).isZero();
        assertThat(META.compareName(2, 3, bytes("abd"), "name")).isNegative();
        assertThat(META.compareName(2, 2, bytes("abc"), "name")).isNegative();
        assertThat(META.compareName(2, 3, bytes("ab"), "name")).isPositive();
    }

    @Test
    void compareNamePastTheEndIsAFormatErrorNamingTheField() {
        // A name that runs past the bootstrap (a v5 record at the very end with a large
        // i_name_size) must not escape as an IndexOutOfBoundsException.
        assertThatThrownBy(() -> META.compareName(3, 4, bytes("bcde"), "inode name"))
                .isInstanceOf(RafsFormatException.class)
                .hasMessageContaining("inode name");
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
