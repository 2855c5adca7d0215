package dev.jnydus.fscache.cachefiles;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Where cachefiles keeps a cookie's file (spec section 8): {@code cache/I<volume key>/@xx/D<cookie
 * key>}, {@code xx} being the low byte of the kernel's {@code fscache_hash} of the cookie key,
 * salted with the hash of the volume key. nydusd needs it to {@code cull} a blob, which must be
 * addressed relative to the directory that holds it.
 */
public final class CookieHash {
    private CookieHash() {
    }

    /** The volume hash: salt 0 over (length byte, key, zero padding to a multiple of 4 of length + 2). */
    public static int volume(String volumeKey) {
        byte[] key = volumeKey.getBytes(StandardCharsets.ISO_8859_1);
        int padded = (key.length + 2 + 3) & ~3;
        byte[] buf = new byte[padded];
        buf[0] = (byte) key.length;
        System.arraycopy(key, 0, buf, 1, key.length);
        return hash(0, buf);
    }

    /** The cookie hash: salt = volume hash, over the key zero-padded to a multiple of 4. */
    public static int cookie(int volumeHash, String cookieKey) {
        byte[] key = cookieKey.getBytes(StandardCharsets.ISO_8859_1);
        byte[] buf = new byte[(key.length + 3) & ~3];
        System.arraycopy(key, 0, buf, 0, key.length);
        return hash(volumeHash, buf);
    }

    /** The fan-out directory of a cookie, {@code @xx}. */
    public static String fanOutDir(String volumeKey, String cookieKey) {
        return String.format("@%02x", cookie(volume(volumeKey), cookieKey) & 0xff);
    }

    /** The kernel's {@code fscache_hash} (a variant of Bob Jenkins' one-at-a-time mixing). */
    static int hash(int salt, byte[] words) {
        ByteBuffer b = ByteBuffer.wrap(words).order(ByteOrder.LITTLE_ENDIAN);
        int x = 0;
        int y = salt;
        while (b.hasRemaining()) {
            int a = b.getInt();
            x ^= a;
            y ^= x;
            x = Integer.rotateLeft(x, 7);
            x += y;
            y = Integer.rotateLeft(y, 20);
            y *= 9;
        }
        return fold(y ^ fold(x));
    }

    private static int fold(int v) {
        return v * 0x61C88647;
    }
}
