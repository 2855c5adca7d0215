package dev.jnydus.builder;

/** How whiteouts in upper layers are recognised (upstream {@code builder/src/core/overlay.rs}). */
public enum WhiteoutSpec {
    /** {@code .wh.NAME} removes NAME from lower layers; {@code .wh..wh..opq} hides all lower children. */
    OCI,
    /** A 0:0 char device removes the same name; a directory with {@code trusted.overlay.opaque=y} is opaque. */
    OVERLAYFS,
    /** No whiteouts: everything is kept as ordinary entries. */
    NONE;

    public static WhiteoutSpec of(String s) {
        for (WhiteoutSpec w : values()) {
            if (w.name().equalsIgnoreCase(s)) {
                return w;
            }
        }
        throw new IllegalArgumentException("invalid whiteout spec '" + s + "' (oci, overlayfs, none)");
    }
}
