package dev.jnydus.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class LittleEndianTest {
    @Test
    void arrayAndBufferViewsAgree() {
        byte[] b = new byte[16];
        LittleEndian.put16(b, 0, 0xBEEF);
        LittleEndian.put32(b, 2, 0xE0F5E1E2);
        LittleEndian.put64(b, 6, 0x0123456789ABCDEFL);
        ByteBuffer le = LittleEndian.wrap(b);
        ByteBuffer be = ByteBuffer.wrap(b);
        assertThat(LittleEndian.u16(b, 0)).isEqualTo(0xBEEF).isEqualTo(LittleEndian.u16(le, 0)).isEqualTo(LittleEndian.u16(be, 0));
        assertThat(LittleEndian.u32(b, 2)).isEqualTo(0xE0F5E1E2L).isEqualTo(LittleEndian.u32(le, 2)).isEqualTo(LittleEndian.u32(be, 2));
        assertThat(LittleEndian.i64(b, 6)).isEqualTo(0x0123456789ABCDEFL).isEqualTo(LittleEndian.i64(le, 6)).isEqualTo(LittleEndian.i64(be, 6));
    }

    @Test
    void boundsCheckDoesNotOverflow() {
        assertThat(Preconditions.inBounds(0, 10, 10)).isTrue();
        assertThat(Preconditions.inBounds(5, 6, 10)).isFalse();
        assertThat(Preconditions.inBounds(Long.MAX_VALUE, Long.MAX_VALUE, 10)).isFalse();
        assertThat(Preconditions.inBounds(-1, 1, 10)).isFalse();
    }
}
