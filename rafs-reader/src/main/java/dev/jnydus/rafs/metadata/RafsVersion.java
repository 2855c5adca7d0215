package dev.jnydus.rafs.metadata;

/** What kind of bootstrap was opened. */
public enum RafsVersion {
    /** RAFS v5, magic "RAFS" and version 0x500. */
    V5,
    /** RAFS v6: EROFS with the RAFS extended superblock. */
    V6,
    /** A plain uncompressed EROFS image (mkfs.erofs), served as v6 without the RAFS tables. */
    EROFS
}
