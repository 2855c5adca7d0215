package dev.jnydus.builder;

import java.nio.charset.StandardCharsets;

/**
 * The 512-byte GNU tar headers upstream writes after each blob section ("reverse tar", rafs-format
 * 6.5), byte for byte as the Rust {@code tar} crate's {@code Header::new_gnu} with path, type '0',
 * size and checksum set: mode, owner and mtime stay zero-filled.
 */
final class ReverseTar {
    static final int SIZE = 512;

    private ReverseTar() {
    }

    static byte[] header(String name, long size) {
        byte[] h = new byte[SIZE];
        byte[] n = name.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(n, 0, h, 0, n.length);
        octal(h, 124, 12, size);
        h[156] = '0';
        byte[] magic = {'u', 's', 't', 'a', 'r', ' ', ' ', 0};
        System.arraycopy(magic, 0, h, 257, magic.length);
        long sum = 0;
        for (int i = 0; i < SIZE; i++) {
            sum += (i >= 148 && i < 156) ? ' ' : (h[i] & 0xFF);
        }
        octal(h, 148, 8, sum);
        return h;
    }

    /** Zero-padded octal digits filling the field but its last byte, which stays NUL. */
    private static void octal(byte[] h, int off, int len, long value) {
        String s = Long.toOctalString(value);
        int digits = len - 1;
        if (s.length() > digits) {
            throw new IllegalArgumentException("value " + value + " does not fit a tar field of " + len);
        }
        for (int i = 0; i < digits; i++) {
            int si = s.length() - digits + i;
            h[off + i] = (byte) (si < 0 ? '0' : s.charAt(si));
        }
        h[off + len - 1] = 0;
    }
}
