package dev.jnydus.fuse.transport.dev;

import dev.jnydus.testkit.InMemoryFileSystem;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** The tree the mount tests serve. */
final class TestTree {
    private TestTree() {
    }

    static final byte[] HELLO = "hello through /dev/fuse\n".getBytes(StandardCharsets.UTF_8);
    static final int BIG_SIZE = 8 << 20;
    static final long SPARSE_SIZE = 1L << 30;
    static final long SPARSE_SECOND = 512L << 20;
    static final int MANY = 5000;

    static byte[] big() {
        byte[] b = new byte[BIG_SIZE];
        long x = 0x9E3779B97F4A7C15L;
        for (int i = 0; i < b.length; i++) {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
            b[i] = (byte) x;
        }
        return b;
    }

    static byte[] filled(int n, int v) {
        byte[] b = new byte[n];
        java.util.Arrays.fill(b, (byte) v);
        return b;
    }

    static InMemoryFileSystem build() {
        InMemoryFileSystem.Builder b = InMemoryFileSystem.builder()
                .file("/hello", HELLO)
                .file("/big", big())
                .sparseFile("/sparse", SPARSE_SIZE, Map.of(0L, filled(4096, 'a'), SPARSE_SECOND, filled(65536, 'b')))
                .symlink("/link", "hello")
                .dir("/dir")
                .symlink("/dir/abs", "/etc/passwd")
                .file("/dir/empty", new byte[0])
                .xattr("/hello", "user.color", "blue".getBytes(StandardCharsets.UTF_8))
                .xattr("/hello", "user.size", "42".getBytes(StandardCharsets.UTF_8))
                .dir("/many");
        for (int i = 0; i < MANY; i++) {
            b.file(String.format("/many/f%05d", i), Integer.toString(i).getBytes(StandardCharsets.UTF_8));
        }
        return b.build();
    }
}
