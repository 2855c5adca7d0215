package dev.jnydus.cache.file;

import dev.jnydus.backend.BackendException;
import dev.jnydus.backend.codec.ChunkCodec;
import dev.jnydus.backend.codec.ChunkDigest;
import dev.jnydus.cache.device.BlobInfo;
import dev.jnydus.cache.device.ChunkInfo;
import dev.jnydus.common.Errno;
import dev.jnydus.common.FsException;
import java.util.zip.CRC32C;

/**
 * Decoding and validation of one blob's chunks: what turns stored bytes into data the cache may
 * hand out.
 *
 * <p>Decoding follows the chunk's own flags ({@link ChunkCodec#decodeChunk}, the rule
 * {@code nydus-image check} uses too). A chunk is checked when it carries a CRC32, when
 * {@code digest_validate} is on and it has a digest, and always when readiness is not persisted
 * (then the cache file may hold anything); callers may also ask for a check (data cached before
 * an unclean stop). Data that fails a check is never handed out or stored.
 */
final class ChunkDecoder {
    private final BlobInfo info;
    private final boolean digestValidate;
    private final boolean persistentReadiness;

    ChunkDecoder(BlobInfo info, boolean digestValidate, boolean persistentReadiness) {
        this.info = info;
        this.digestValidate = digestValidate;
        this.persistentReadiness = persistentReadiness;
    }

    /**
     * The chunk's uncompressed bytes from its stored form at {@code src[off, off + compressedSize)}.
     *
     * @throws FsException EIO when they lie outside {@code src} or do not decode to the chunk's size
     */
    byte[] decode(ChunkInfo c, byte[] src, int off) throws FsException {
        try {
            return ChunkCodec.decodeChunk(info.compressor(), c.flags(), src, off, c.compressedSize(),
                    c.uncompressedSize());
        } catch (BackendException e) {
            throw new FsException(Errno.EIO, "blob " + info.blobId() + " chunk " + c.index() + ": " + e.getMessage(), e);
        }
    }

    /** Whether the chunk's data must pass {@link #verify} before it is used. */
    boolean needsCheck(ChunkInfo c) {
        return c.hasCrc32() || checksDigest(c);
    }

    /** Whether the chunk carries anything to check its data against. */
    static boolean canCheck(ChunkInfo c) {
        return c.hasCrc32() || c.digest() != null;
    }

    private boolean checksDigest(ChunkInfo c) {
        return c.digest() != null && (digestValidate || !persistentReadiness);
    }

    /** Whether {@code d} matches what the chunk record promises (CRC32 and, when checked, digest). */
    boolean verify(ChunkInfo c, byte[] d) {
        return verify(c, d, false);
    }

    /**
     * As {@link #verify(ChunkInfo, byte[])}; with {@code always}, the digest is checked even when
     * validation is off.
     */
    boolean verify(ChunkInfo c, byte[] d, boolean always) {
        if (d.length != c.uncompressedSize()) {
            return false;
        }
        if (c.hasCrc32()) {
            CRC32C crc = new CRC32C();
            crc.update(d, 0, d.length);
            if ((int) crc.getValue() != c.crc32()) {
                return false;
            }
        }
        if (c.digest() != null && (always || checksDigest(c))) {
            return ChunkDigest.matches(info.digester(), c.digest(), d, 0, d.length);
        }
        return true;
    }
}
