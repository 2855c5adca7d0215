package dev.jnydus.builder;

/** What {@code create} reads: upstream's {@code --type} values that jnydus supports. */
public enum SourceType {
    /** A directory tree ({@code dir-rafs}, also {@code directory}). */
    DIRECTORY("dir-rafs"),
    /** An uncompressed tar stream, e.g. an OCI layer ({@code tar-rafs}). */
    TAR("tar-rafs"),
    /** A gzip-compressed tar stream ({@code targz-rafs}); a plain tar is accepted too, as upstream does. */
    TARGZ("targz-rafs");

    private final String label;

    SourceType(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    public static SourceType of(String s) {
        if ("directory".equals(s)) {
            return DIRECTORY;
        }
        for (SourceType t : values()) {
            if (t.label.equals(s)) {
                return t;
            }
        }
        throw new IllegalArgumentException("unsupported conversion type '" + s
                + "' (jnydus supports dir-rafs, tar-rafs, targz-rafs)");
    }
}
