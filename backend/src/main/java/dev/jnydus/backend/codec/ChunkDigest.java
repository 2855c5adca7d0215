package dev.jnydus.backend.codec;

import dev.jnydus.common.Digester;
import dev.jnydus.common.Hex;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import org.apache.commons.codec.digest.Blake3;

/** Chunk digests as RAFS stores them: BLAKE3-256 or SHA-256 of the uncompressed bytes. */
public final class ChunkDigest {
    private ChunkDigest() {
    }

    public static byte[] digest(Digester d, byte[] data, int off, int len) {
        return switch (d) {
            case BLAKE3 -> {
                Blake3 h = Blake3.initHash();
                h.update(data, off, len);
                yield h.doFinalize(32);
            }
            case SHA256 -> {
                MessageDigest md = sha256();
                md.update(data, off, len);
                yield md.digest();
            }
        };
    }

    public static boolean matches(Digester d, byte[] expected, byte[] data, int off, int len) {
        return MessageDigest.isEqual(expected, digest(d, data, off, len));
    }

    public static String hex(Digester d, byte[] data, int off, int len) {
        return Hex.of(digest(d, data, off, len));
    }

    public static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK lacks SHA-256", e);
        }
    }
}
