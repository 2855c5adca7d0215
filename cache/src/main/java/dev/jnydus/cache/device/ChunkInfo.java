package dev.jnydus.cache.device;

import dev.jnydus.common.ChunkFlags;
import dev.jnydus.common.Hex;
import java.util.Arrays;

/**
 * The cache's record of one chunk of a blob: where its stored bytes are, where its uncompressed
 * bytes go in the cache file, and how to check them. The filesystem layer fills it from the RAFS
 * chunk reference (or the blob's chunk-info table); the cache never reads RAFS structures itself.
 *
 * @param blobIndex index of the blob in the device's blob list ({@link BlobInfo#index()})
 * @param index the chunk's index inside its blob: its bit in the chunk map
 * @param compressedOffset offset of the stored bytes in the blob
 * @param compressedSize number of stored bytes
 * @param uncompressedOffset offset of the chunk in the uncompressed blob (the cache file)
 * @param uncompressedSize number of uncompressed bytes
 * @param flags {@link ChunkFlags#COMPRESSED} etc., the RAFS chunk flag values
 * @param digest digest of the uncompressed bytes with the blob's digester, or {@code null}
 * @param crc32 CRC-32C of the uncompressed bytes when {@link ChunkFlags#HAS_CRC32} is set
 */
public record ChunkInfo(
        int blobIndex,
        int index,
        long compressedOffset,
        int compressedSize,
        long uncompressedOffset,
        int uncompressedSize,
        int flags,
        byte[] digest,
        int crc32) {

    public ChunkInfo {
        if (index < 0 || compressedOffset < 0 || compressedSize < 0 || uncompressedOffset < 0 || uncompressedSize <= 0) {
            throw new IllegalArgumentException("invalid chunk: index " + index + ", compressed " + compressedOffset + "+"
                    + compressedSize + ", uncompressed " + uncompressedOffset + "+" + uncompressedSize);
        }
    }

    /** A chunk without CRC. */
    public static ChunkInfo of(int blobIndex, int index, long compressedOffset, int compressedSize,
                               long uncompressedOffset, int uncompressedSize, boolean compressed, byte[] digest) {
        return new ChunkInfo(blobIndex, index, compressedOffset, compressedSize, uncompressedOffset, uncompressedSize,
                compressed ? ChunkFlags.COMPRESSED : 0, digest, 0);
    }

    public boolean compressed() {
        return (flags & ChunkFlags.COMPRESSED) != 0;
    }

    public boolean hasCrc32() {
        return (flags & ChunkFlags.HAS_CRC32) != 0;
    }

    public long compressedEnd() {
        return compressedOffset + compressedSize;
    }

    public long uncompressedEnd() {
        return uncompressedOffset + uncompressedSize;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ChunkInfo c && c.blobIndex == blobIndex && c.index == index
                && c.compressedOffset == compressedOffset && c.compressedSize == compressedSize
                && c.uncompressedOffset == uncompressedOffset && c.uncompressedSize == uncompressedSize
                && c.flags == flags && Arrays.equals(c.digest, digest) && c.crc32 == crc32;
    }

    @Override
    public int hashCode() {
        return (blobIndex * 31 + index) * 31 + Long.hashCode(compressedOffset);
    }

    @Override
    public String toString() {
        return "ChunkInfo[blob=" + blobIndex + ", index=" + index + ", comp=" + compressedOffset + "+" + compressedSize
                + ", uncomp=" + uncompressedOffset + "+" + uncompressedSize + ", flags=0x" + Integer.toHexString(flags)
                + (digest == null ? "" : ", digest=" + Hex.of(digest)) + "]";
    }
}
