package dev.jnydus.rafs.metadata;

import dev.jnydus.common.ChunkFlags;
import dev.jnydus.common.Hex;

/**
 * Where one chunk of file data is stored and how to check it.
 *
 * @param blobIndex index into {@link RafsSuper#blobs()}
 * @param chunkIndex the chunk's index inside its blob (the ci index)
 * @param flags chunk flags ({@link ChunkFlags#COMPRESSED}, ...)
 * @param compressedOffset offset of the stored bytes in the blob file
 * @param compressedSize number of stored bytes
 * @param uncompressedOffset offset in the uncompressed blob (the blob cache layout)
 * @param uncompressedSize number of file bytes the chunk holds
 * @param fileOffset where this chunk starts in the file that referenced it
 * @param digest digest of the uncompressed bytes, or {@code null} when the image stores none
 *     (plain EROFS)
 * @param crc32 CRC-32C of the uncompressed bytes when {@link ChunkFlags#HAS_CRC32} is set
 */
public record ChunkRef(
        int blobIndex,
        int chunkIndex,
        int flags,
        long compressedOffset,
        int compressedSize,
        long uncompressedOffset,
        int uncompressedSize,
        long fileOffset,
        byte[] digest,
        int crc32) {

    public boolean compressed() {
        return (flags & ChunkFlags.COMPRESSED) != 0;
    }

    public String digestHex() {
        return digest == null ? "" : Hex.of(digest);
    }

    @Override
    public String toString() {
        return "ChunkRef[blob=" + blobIndex + ", index=" + chunkIndex + ", flags=0x" + Integer.toHexString(flags)
                + ", comp=" + compressedOffset + "+" + compressedSize + ", uncomp=" + uncompressedOffset + "+"
                + uncompressedSize + ", file=" + fileOffset + ", digest=" + digestHex() + "]";
    }
}
