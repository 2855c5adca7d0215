package dev.jnydus.builder;

/** Where a node came from when layers are merged (upstream {@code Overlay}). */
enum Overlay {
    /** From a lower layer's bootstrap: its data is already in a blob. */
    LOWER,
    /** Added by the layer being built. */
    UPPER_ADDITION,
    /** Replaces an entry of a lower layer. */
    UPPER_MODIFICATION;

    boolean isUpper() {
        return this != LOWER;
    }
}
