package dev.jnydus.builder;

import dev.jnydus.common.Compressor;
import dev.jnydus.common.Digester;
import dev.jnydus.rafs.layout.SuperFlags;

/**
 * The compression and digest bits of the RAFS superblock flags (rafs-format 3.1) for a build. The
 * bits themselves are rafs-reader's {@link SuperFlags}, so the writer and the reader cannot
 * disagree about one.
 */
final class RafsFlags {
    private RafsFlags() {
    }

    static long of(Compressor c, Digester d) {
        long f = switch (c) {
            case NONE -> SuperFlags.COMPRESSION_NONE;
            case LZ4_BLOCK -> SuperFlags.COMPRESSION_LZ4;
            case GZIP -> SuperFlags.COMPRESSION_GZIP;
            case ZSTD -> SuperFlags.COMPRESSION_ZSTD;
        };
        return f | (d == Digester.SHA256 ? SuperFlags.HASH_SHA256 : SuperFlags.HASH_BLAKE3);
    }
}
