package dev.jnydus.builder;

import dev.jnydus.common.Compressor;
import dev.jnydus.common.Digester;

/** RAFS superblock flags (rafs-format 3.1). */
final class RafsFlags {
    static final long COMPRESSION_NONE = 0x1;
    static final long COMPRESSION_LZ4 = 0x2;
    static final long HASH_BLAKE3 = 0x4;
    static final long HASH_SHA256 = 0x8;
    static final long EXPLICIT_UID_GID = 0x10;
    static final long HAS_XATTR = 0x20;
    static final long COMPRESSION_GZIP = 0x40;
    static final long COMPRESSION_ZSTD = 0x80;
    static final long INLINED_CHUNK_DIGEST = 0x100;
    static final long ENCRYPTION_NONE = 0x0100_0000;

    private RafsFlags() {
    }

    static long of(Compressor c, Digester d) {
        long f = switch (c) {
            case NONE -> COMPRESSION_NONE;
            case LZ4_BLOCK -> COMPRESSION_LZ4;
            case GZIP -> COMPRESSION_GZIP;
            case ZSTD -> COMPRESSION_ZSTD;
        };
        return f | (d == Digester.SHA256 ? HASH_SHA256 : HASH_BLAKE3);
    }
}
