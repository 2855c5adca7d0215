package dev.jnydus.rafs.metadata;

/**
 * What a blob-table entry may claim, whatever the format version: upstream's own limits (its
 * {@code RAFS_MAX_CHUNKS_PER_BLOB} and the v6 blob-size bounds), applied to v5 tables too, whose
 * upstream loader checks none of them. A bootstrap is read before anything else is trusted, and the
 * cache sizes files, bitmaps and chunk tables by these numbers.
 *
 * <p>A blob id names files (the cache's {@code <id>.blob.data}, a localfs {@code <dir>/<id>}) and
 * URL path segments, so it must be one safe file name: no {@code /}, not {@code .} or {@code ..},
 * printable ASCII, at most 255 bytes.
 */
public final class BlobLimits {
    /** Upstream's RAFS_MAX_CHUNKS_PER_BLOB. */
    public static final long MAX_CHUNKS_PER_BLOB = 1L << 24;
    /** Upstream's BLOB_MAX_SIZE_COMPRESSED. */
    public static final long MAX_COMPRESSED_SIZE = 1L << 40;
    /** Upstream's BLOB_MAX_SIZE_UNCOMPRESSED. */
    public static final long MAX_UNCOMPRESSED_SIZE = 1L << 44;
    /** NAME_MAX: a longer id cannot be a file name. */
    public static final int MAX_ID_LENGTH = 255;

    private BlobLimits() {
    }

    /** Checks a blob id (or plain EROFS device tag) read from the bootstrap at {@code where}. */
    public static void checkId(String id, String where) throws RafsFormatException {
        if (id.isEmpty() || id.length() > MAX_ID_LENGTH) {
            throw new RafsFormatException("invalid blob id in " + where + ": " + id.length()
                    + " characters, expected 1.." + MAX_ID_LENGTH);
        }
        if (id.equals(".") || id.equals("..")) {
            throw new RafsFormatException("invalid blob id '" + id + "' in " + where);
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            if (c <= 0x20 || c >= 0x7f || c == '/') {
                throw new RafsFormatException("invalid blob id in " + where + ": character 0x"
                        + Integer.toHexString(c) + " at " + i + " (a blob id is one file name of printable ASCII)");
            }
        }
    }

    /**
     * Checks the counts and sizes of one blob-table entry; {@code chunkCount} and the sizes as
     * unsigned values widened to long (a u64 above 2^63 arrives negative and is refused).
     */
    public static void checkCounts(String id, long chunkCount, long compressedSize, long uncompressedSize)
            throws RafsFormatException {
        if (chunkCount < 0 || chunkCount > MAX_CHUNKS_PER_BLOB) {
            throw new RafsFormatException("invalid chunk_count " + Long.toUnsignedString(chunkCount) + " of blob " + id
                    + " (at most " + MAX_CHUNKS_PER_BLOB + ")");
        }
        if (compressedSize < 0 || compressedSize > MAX_COMPRESSED_SIZE) {
            throw new RafsFormatException("invalid compressed_size " + Long.toUnsignedString(compressedSize)
                    + " of blob " + id + " (at most 2^40)");
        }
        if (uncompressedSize < 0 || uncompressedSize > MAX_UNCOMPRESSED_SIZE) {
            throw new RafsFormatException("invalid uncompressed_size " + Long.toUnsignedString(uncompressedSize)
                    + " of blob " + id + " (at most 2^44)");
        }
    }
}
