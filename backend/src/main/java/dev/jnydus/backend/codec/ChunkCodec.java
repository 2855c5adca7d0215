package dev.jnydus.backend.codec;

import dev.jnydus.backend.BackendException;
import dev.jnydus.common.ChunkFlags;
import dev.jnydus.common.Compressor;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import com.github.luben.zstd.Zstd;
import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Exception;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4FastDecompressor;
import net.jpountz.lz4.LZ4SafeDecompressor;

/**
 * Compresses and decompresses one chunk as upstream frames it: raw LZ4 blocks, whole gzip members,
 * whole zstd frames (rafs-format 6.2). Decompression insists on the exact uncompressed size: a
 * chunk that decodes to anything else is corrupt and never served.
 */
public final class ChunkCodec {
    private static final LZ4Factory LZ4 = LZ4Factory.fastestInstance();

    private ChunkCodec() {
    }

    /**
     * Decodes {@code src[0, srcLen)} into exactly {@code dst[0, dstLen)}.
     *
     * @throws BackendException (EIO) when the input is corrupt or decodes to another size
     */
    public static void decompress(Compressor c, byte[] src, int srcLen, byte[] dst, int dstLen) throws BackendException {
        decompress(c, src, 0, srcLen, dst, dstLen);
    }

    /**
     * Decodes {@code src[srcOff, srcOff + srcLen)} into exactly {@code dst[0, dstLen)}: a chunk
     * is decoded where it lies in the bytes fetched for a range, without a copy of its own.
     *
     * @throws BackendException (EIO) when the input is corrupt or decodes to another size
     */
    public static void decompress(Compressor c, byte[] src, int srcOff, int srcLen, byte[] dst, int dstLen)
            throws BackendException {
        try {
            switch (c) {
                case NONE -> {
                    if (srcLen != dstLen) {
                        throw new BackendException("uncompressed chunk of " + srcLen + " bytes, expected " + dstLen);
                    }
                    System.arraycopy(src, srcOff, dst, 0, srcLen);
                }
                case LZ4_BLOCK -> {
                    LZ4SafeDecompressor d = LZ4.safeDecompressor();
                    int n = d.decompress(src, srcOff, srcLen, dst, 0, dstLen);
                    if (n != dstLen) {
                        throw new BackendException("lz4 chunk decoded to " + n + " bytes, expected " + dstLen);
                    }
                }
                case ZSTD -> {
                    long n = Zstd.decompressByteArray(dst, 0, dstLen, src, srcOff, srcLen);
                    if (Zstd.isError(n)) {
                        throw new BackendException("zstd chunk is corrupt: " + Zstd.getErrorName(n));
                    }
                    if (n != dstLen) {
                        throw new BackendException("zstd chunk decoded to " + n + " bytes, expected " + dstLen);
                    }
                }
                case GZIP -> gunzip(src, srcOff, srcLen, dst, dstLen);
                default -> throw new BackendException("unsupported compressor " + c);
            }
        } catch (LZ4Exception | com.github.luben.zstd.ZstdException e) {
            throw new BackendException(c + " chunk is corrupt: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw new BackendException(c + " chunk is corrupt: " + e, e);
        }
    }

    /**
     * A chunk's data from its stored bytes {@code src[off, off + storedSize)}, as the chunk's own
     * flags say: decompressed with the blob's {@code compressor} when {@link ChunkFlags#COMPRESSED}
     * is set, else the stored bytes as they are. Upstream's builders store a chunk raw, flag clear,
     * whenever compressing it did not help, whatever the image's compressor; the flag, never the
     * compressor, decides. The one decoding rule of the read path, the cache and
     * {@code nydus-image check}.
     *
     * @throws BackendException (EIO) when the range lies outside {@code src}, a raw chunk stores
     *     another number of bytes than {@code size}, or the compressed bytes do not decode to
     *     exactly {@code size} bytes
     */
    public static byte[] decodeChunk(Compressor compressor, int flags, byte[] src, int off, int storedSize, int size)
            throws BackendException {
        if (off < 0 || storedSize < 0 || size < 0 || off > src.length - storedSize) {
            throw new BackendException("chunk of " + storedSize + " stored bytes at " + off + " lies outside the "
                    + src.length + " bytes fetched");
        }
        if ((flags & ChunkFlags.COMPRESSED) == 0) {
            if (storedSize != size) {
                throw new BackendException("uncompressed chunk stores " + storedSize + " bytes for " + size);
            }
            return off == 0 && src.length == size ? src : Arrays.copyOfRange(src, off, off + size);
        }
        byte[] out = new byte[size];
        decompress(compressor, src, off, storedSize, out, size);
        return out;
    }

    private static void gunzip(byte[] src, int srcOff, int srcLen, byte[] dst, int dstLen) throws BackendException {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(src, srcOff, srcLen), 8192)) {
            int got = 0;
            while (got < dstLen) {
                int n = in.read(dst, got, dstLen - got);
                if (n < 0) {
                    break;
                }
                got += n;
            }
            if (got != dstLen || in.read() >= 0) {
                throw new BackendException("gzip chunk decoded to " + (got == dstLen ? "more than " : "") + got
                        + " bytes, expected " + dstLen);
            }
        } catch (IOException e) {
            if (e instanceof BackendException be) {
                throw be;
            }
            throw new BackendException("gzip chunk is corrupt: " + e.getMessage(), e);
        }
    }

    /**
     * Compresses {@code src[0, len)}. Returns {@code null} when the result would not be strictly
     * smaller, in which case upstream stores the raw bytes and clears the chunk's compressed flag.
     */
    public static byte[] compress(Compressor c, byte[] src, int len) {
        byte[] out = switch (c) {
            case NONE -> null;
            case LZ4_BLOCK -> {
                LZ4Compressor comp = LZ4.fastCompressor();
                byte[] buf = new byte[comp.maxCompressedLength(len)];
                int n = comp.compress(src, 0, len, buf, 0, buf.length);
                yield java.util.Arrays.copyOf(buf, n);
            }
            case ZSTD -> {
                byte[] buf = new byte[(int) Zstd.compressBound(len)];
                long n = Zstd.compressByteArray(buf, 0, buf.length, src, 0, len, 3);
                if (Zstd.isError(n)) {
                    throw new IllegalStateException("zstd compression failed: " + Zstd.getErrorName(n));
                }
                yield java.util.Arrays.copyOf(buf, (int) n);
            }
            case GZIP -> {
                ByteArrayOutputStream bos = new ByteArrayOutputStream(Math.max(64, len / 2));
                try (GZIPOutputStream gz = new GZIPOutputStream(bos)) {
                    gz.write(src, 0, len);
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
                yield bos.toByteArray();
            }
        };
        return out != null && out.length < len ? out : null;
    }

    /** An LZ4 decompressor that trusts sizes, for callers that verified them (unused by the read path). */
    static LZ4FastDecompressor fastLz4() {
        return LZ4.fastDecompressor();
    }
}
