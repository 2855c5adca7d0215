package dev.jnydus.rafs.layout;

import dev.jnydus.common.Compressor;
import dev.jnydus.common.Digester;
import dev.jnydus.rafs.metadata.RafsFormatException;

/** The RAFS superblock flags (rafs-format 3.1), decoded strictly as upstream does. */
public final class SuperFlags {
    public static final long COMPRESSION_NONE = 0x1;
    public static final long COMPRESSION_LZ4 = 0x2;
    public static final long HASH_BLAKE3 = 0x4;
    public static final long HASH_SHA256 = 0x8;
    public static final long EXPLICIT_UID_GID = 0x10;
    public static final long HAS_XATTR = 0x20;
    public static final long COMPRESSION_GZIP = 0x40;
    public static final long COMPRESSION_ZSTD = 0x80;
    public static final long INLINED_CHUNK_DIGEST = 0x100;
    public static final long TARFS_MODE = 0x200;
    public static final long ENCRYPTION_NONE = 0x100_0000;
    public static final long ENCRYPTION_AES_128_XTS = 0x200_0000;
    private static final long RESERVED_COMPAT = 0xFC00_0000L;
    private static final long KNOWN = 0x3FF | ENCRYPTION_NONE | ENCRYPTION_AES_128_XTS | RESERVED_COMPAT;
    private static final long COMPRESSION_BITS = COMPRESSION_NONE | COMPRESSION_LZ4 | COMPRESSION_GZIP | COMPRESSION_ZSTD;
    private static final long HASH_BITS = HASH_BLAKE3 | HASH_SHA256;

    private SuperFlags() {
    }

    public static void validate(long flags, boolean v6) throws RafsFormatException {
        if ((flags & ~KNOWN) != 0) {
            throw new RafsFormatException("invalid superblock flags 0x" + Long.toHexString(flags) + ": unknown bits 0x"
                    + Long.toHexString(flags & ~KNOWN));
        }
        if (v6) {
            if (Long.bitCount(flags & COMPRESSION_BITS) != 1) {
                throw new RafsFormatException("invalid superblock flags 0x" + Long.toHexString(flags)
                        + ": need exactly one compression bit");
            }
            if (Long.bitCount(flags & HASH_BITS) != 1) {
                throw new RafsFormatException("invalid superblock flags 0x" + Long.toHexString(flags)
                        + ": need exactly one digest bit");
            }
        }
    }

    public static Compressor compressor(long flags) {
        if ((flags & COMPRESSION_NONE) != 0) {
            return Compressor.NONE;
        }
        if ((flags & COMPRESSION_LZ4) != 0) {
            return Compressor.LZ4_BLOCK;
        }
        if ((flags & COMPRESSION_GZIP) != 0) {
            return Compressor.GZIP;
        }
        if ((flags & COMPRESSION_ZSTD) != 0) {
            return Compressor.ZSTD;
        }
        return Compressor.LZ4_BLOCK;
    }

    public static Digester digester(long flags) {
        if ((flags & HASH_BLAKE3) != 0) {
            return Digester.BLAKE3;
        }
        if ((flags & HASH_SHA256) != 0) {
            return Digester.SHA256;
        }
        return Digester.BLAKE3;
    }
}
