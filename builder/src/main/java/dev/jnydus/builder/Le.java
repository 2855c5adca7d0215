package dev.jnydus.builder;

import dev.jnydus.common.LittleEndian;

/** Short names for the little-endian writers every record encoder uses. */
final class Le {
    private Le() {
    }

    static void put16(byte[] b, int off, int v) {
        LittleEndian.put16(b, off, v);
    }

    static void put32(byte[] b, int off, long v) {
        LittleEndian.put32(b, off, (int) v);
    }

    static void put64(byte[] b, int off, long v) {
        LittleEndian.put64(b, off, v);
    }

    static long align(long v, long a) {
        return (v + a - 1) / a * a;
    }
}
