package dev.jnydus.common;

/** Chunk digest algorithms, with the numbers RAFS v6 blob tables store. */
public enum Digester {
    BLAKE3(0, "blake3"),
    SHA256(1, "sha256");

    private final int id;
    private final String label;

    Digester(int id, String label) {
        this.id = id;
        this.label = label;
    }

    public int id() {
        return id;
    }

    public String label() {
        return label;
    }

    public static Digester ofId(long id) {
        for (Digester d : values()) {
            if (d.id == id) {
                return d;
            }
        }
        return null;
    }

    public static Digester ofLabel(String label) {
        for (Digester d : values()) {
            if (d.label.equalsIgnoreCase(label)) {
                return d;
            }
        }
        throw new IllegalArgumentException("unknown digester '" + label + "' (blake3, sha256)");
    }

    @Override
    public String toString() {
        return label;
    }
}
