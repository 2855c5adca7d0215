package dev.jnydus.daemon;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

/**
 * A flat tree of small files of seeded random bytes ({@code f0000}, {@code f0001}, ...), each its
 * own chunk in an image. Tests that count backend requests read each file once: a first read of a
 * file is a cold read that must reach the backend (no page cache, no memory cache holds it yet).
 */
final class DistinctFiles {
    private DistinctFiles() {
    }

    /** Writes {@code n} files of 4-8 KiB into {@code dir} (created). */
    static Path generate(Path dir, int n, long seed) throws IOException {
        Files.createDirectories(dir);
        Random r = new Random(seed);
        for (int i = 0; i < n; i++) {
            byte[] b = new byte[4096 + r.nextInt(4096)];
            r.nextBytes(b);
            Files.write(dir.resolve(name(i)), b);
        }
        return dir;
    }

    static String name(int i) {
        return String.format("f%04d", i);
    }

    /** Reads file {@code i} from the mount and fails unless it equals the source file. */
    static void readAndCompare(Path mp, Path src, int i) throws IOException {
        byte[] got = Files.readAllBytes(mp.resolve(name(i)));
        byte[] want = Files.readAllBytes(src.resolve(name(i)));
        if (!Arrays.equals(got, want)) {
            throw new AssertionError(name(i) + " read back different bytes (first difference at "
                    + Arrays.mismatch(got, want) + ")");
        }
    }
}
