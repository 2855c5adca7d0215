package dev.jnydus.daemon;

import dev.jnydus.testkit.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

/**
 * The upstream-built RAFS v5 fixture ({@link Fixtures#V5_SHA256_NOCOMPRESS}): bootstrap, its one
 * uncompressed blob, and the md5 of every regular file from its {@code tree.json}. Its chunks carry
 * no CRC32 (they predate it), so only {@code cache.validate} checks their data.
 */
final class UpstreamFixture {
    static final String BLOB_ID = "7334a2594e133cf8ae364189c2276b090fc490c627bcc3fb1077f0419a538e00";
    /** What a read that failed with an I/O error is recorded as by {@link #md5sOf}. */
    static final String EIO = "EIO";

    private UpstreamFixture() {
    }

    static Path dir() {
        return Fixtures.dir(Fixtures.V5_SHA256_NOCOMPRESS);
    }

    static Path bootstrap() {
        return dir().resolve("bootstrap");
    }

    static Path blob() {
        return dir().resolve("blobs").resolve(BLOB_ID);
    }

    /** Absolute path in the image ("/a/b") to the md5 of its content, from {@code tree.json}. */
    static Map<String, String> md5s() throws IOException {
        Map<String, String> want = new TreeMap<>();
        for (String line : Files.readString(dir().resolve("tree.json")).split("\n")) {
            if (line.matches("[0-9a-f]{32}  /.*")) {
                want.put(line.substring(34), line.substring(0, 32));
            }
        }
        return want;
    }

    /**
     * The md5 of every regular file under the mount, keyed as {@link #md5s}; a file whose read
     * fails with "Input/output error" maps to {@link #EIO} (other failures are thrown).
     */
    static Map<String, String> md5sOf(Path mp) throws IOException {
        Map<String, String> got = new TreeMap<>();
        for (Path p : TreeCompare.walk(mp)) {
            if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                String key = "/" + mp.relativize(p);
                try {
                    got.put(key, md5(Files.readAllBytes(p)));
                } catch (IOException e) {
                    if (e.getMessage() == null || !e.getMessage().contains("Input/output error")) {
                        throw e;
                    }
                    got.put(key, EIO);
                }
            }
        }
        return got;
    }

    static String md5(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
