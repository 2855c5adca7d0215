package dev.jnydus.cache.device;

/** The cache drivers upstream names in {@code cache.type}. */
public enum CacheType {
    /** Chunk data in {@code work_dir}, readiness in a persisted chunk map. Same as {@link #FILECACHE}. */
    BLOBCACHE("blobcache"),
    FILECACHE("filecache"),
    /**
     * Kernel cachefiles on-demand: chunk data lives in the kernel's cache files, which the fscache
     * module hands over ({@link CacheManager#openExternal}); {@code work_dir} keeps {@code .blob.meta}.
     */
    FSCACHE("fscache"),
    /** No local storage: every miss goes to the backend. */
    DUMMYCACHE("dummycache");

    private final String label;

    CacheType(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    /** Parses upstream's names; the empty string means no cache, as upstream. */
    public static CacheType ofLabel(String label) {
        if (label == null || label.isEmpty()) {
            return DUMMYCACHE;
        }
        for (CacheType t : values()) {
            if (t.label.equals(label)) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown cache type '" + label + "' (blobcache, filecache, fscache, dummycache)");
    }

    /** Whether chunk data is kept in {@code work_dir} by this module. */
    public boolean isFileBacked() {
        return this == BLOBCACHE || this == FILECACHE;
    }
}
