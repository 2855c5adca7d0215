package dev.jnydus.common;

/** Chunk compression algorithms, with the numbers RAFS v6 blob tables and blob meta headers store. */
public enum Compressor {
    NONE(0, "none"),
    LZ4_BLOCK(1, "lz4_block"),
    GZIP(2, "gzip"),
    ZSTD(3, "zstd");

    private final int id;
    private final String label;

    Compressor(int id, String label) {
        this.id = id;
        this.label = label;
    }

    /** The on-disk number (`compression_algo`, `ci_compressor`). */
    public int id() {
        return id;
    }

    /** The name upstream uses on command lines and in JSON. */
    public String label() {
        return label;
    }

    public static Compressor ofId(long id) {
        for (Compressor c : values()) {
            if (c.id == id) {
                return c;
            }
        }
        return null;
    }

    public static Compressor ofLabel(String label) {
        for (Compressor c : values()) {
            if (c.label.equalsIgnoreCase(label)) {
                return c;
            }
        }
        throw new IllegalArgumentException("unknown compressor '" + label + "' (none, lz4_block, gzip, zstd)");
    }

    @Override
    public String toString() {
        return label;
    }
}
