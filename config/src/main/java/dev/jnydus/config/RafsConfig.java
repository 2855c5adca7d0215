package dev.jnydus.config;

import java.util.Objects;

/**
 * The RAFS filesystem settings (spec 2.3 {@code rafs}; v1 top-level keys map here).
 *
 * @param mode {@code direct} or {@code cached} metadata access
 * @param batchSize user-IO amplification window in bytes (v1 {@code amplify_io}), spec 7.4
 * @param validate verify RAFS v5 metadata digests (v1 {@code digest_validate})
 * @param prefetch filesystem-level prefetch at mount (v1 {@code fs_prefetch})
 */
public record RafsConfig(String mode, long batchSize, boolean validate, boolean enableXattr,
                         boolean iostatsFiles, boolean accessPattern, boolean latestReadFiles,
                         PrefetchConfig prefetch) {
    public static final String MODE_DIRECT = "direct";
    public static final String MODE_CACHED = "cached";
    public static final long DEFAULT_BATCH_SIZE = 1024 * 1024;
    /** Largest accepted batch size for user IO and prefetch merging. */
    public static final long MAX_BATCH_SIZE = 0x1000_0000L;

    public RafsConfig {
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(prefetch, "prefetch");
    }

    public boolean isCachedMode() {
        return MODE_CACHED.equals(mode);
    }
}
