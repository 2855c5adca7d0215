package dev.jnydus.backend.codec;

import dev.jnydus.backend.BackendException;
import dev.jnydus.backend.BlobReader;
import dev.jnydus.backend.RequestSource;
import dev.jnydus.common.Compressor;
import dev.jnydus.common.Digester;
import dev.jnydus.common.Hex;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads one chunk and checks it against its digest before anyone sees it (nydusd-interface 6.5):
 * read the compressed bytes, decompress to exactly the uncompressed size, compare the digest of
 * the uncompressed bytes. A chunk that fails is read again from the backend, since corruption on
 * the wire is usually transient; when every attempt fails the read is EIO with upstream's message
 * "data digest value doesn't match". Corrupt data is never returned.
 */
public final class ChunkVerifier {
    private static final Logger LOG = LoggerFactory.getLogger(ChunkVerifier.class);

    private ChunkVerifier() {
    }

    /**
     * @param attempts reads to try in all (at least 1)
     * @return the verified uncompressed chunk
     */
    public static byte[] readVerified(BlobReader reader, long compressedOffset, int compressedSize, Compressor c,
            int uncompressedSize, Digester d, byte[] expectedDigest, RequestSource source, int attempts)
            throws IOException {
        BackendException last = null;
        for (int i = 0; i < Math.max(1, attempts); i++) {
            byte[] raw = reader.read(compressedOffset, compressedSize, source);
            byte[] out = new byte[uncompressedSize];
            try {
                ChunkCodec.decompress(c, raw, raw.length, out, uncompressedSize);
                if (ChunkDigest.matches(d, expectedDigest, out, 0, uncompressedSize)) {
                    return out;
                }
                last = new BackendException("blob " + reader.blobId() + ": chunk at " + compressedOffset + " ("
                        + compressedSize + " bytes): data digest value doesn't match (expected " + d + " "
                        + Hex.of(expectedDigest) + ", got " + ChunkDigest.hex(d, out, 0, uncompressedSize) + ")");
            } catch (BackendException e) {
                last = new BackendException("blob " + reader.blobId() + ": chunk at " + compressedOffset
                        + " does not decode: " + e.getMessage(), e);
            }
            LOG.warn("{} (attempt {} of {})", last.getMessage(), i + 1, attempts);
        }
        throw last;
    }
}
