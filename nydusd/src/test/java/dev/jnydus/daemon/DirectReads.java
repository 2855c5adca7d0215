package dev.jnydus.daemon;

import com.sun.nio.file.ExtendedOpenOption;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Reads through a mount with O_DIRECT, so that every read reaches the daemon instead of the page
 * cache: what request counting at the backend needs to see the daemon's own caching.
 */
final class DirectReads {
    private DirectReads() {
    }

    /** The whole file, read in {@code step}-byte O_DIRECT reads ({@code step} a multiple of 4 KiB). */
    static byte[] readAll(Path file, int step) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        read(file, step, (buf, n) -> out.write(buf, 0, n));
        return out.toByteArray();
    }

    /** The SHA-256 (hex) of the file, read in {@code step}-byte O_DIRECT reads. */
    static String sha256(Path file, int step) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        read(file, step, (buf, n) -> md.update(buf, 0, n));
        return HexFormat.of().formatHex(md.digest());
    }

    private interface Sink {
        void accept(byte[] buf, int n) throws IOException;
    }

    private static void read(Path file, int step, Sink sink) throws IOException {
        ByteBuffer buf = ByteBuffer.allocateDirect(step + 4096).alignedSlice(4096);
        buf.limit(step);
        byte[] heap = new byte[step];
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, ExtendedOpenOption.DIRECT)) {
            long pos = 0;
            while (true) {
                buf.clear().limit(step);
                int n = ch.read(buf, pos);
                if (n <= 0) {
                    return;
                }
                buf.flip();
                buf.get(heap, 0, n);
                sink.accept(heap, n);
                pos += n;
                if (n < step) {
                    // A short read is the end of a regular file (and the next O_DIRECT read
                    // could not start at an unaligned position anyway).
                    return;
                }
            }
        }
    }
}
