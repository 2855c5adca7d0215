package dev.jnydus.config;

import java.util.Objects;

/**
 * The file cache ({@code blobcache}/{@code filecache}) settings; spec 2.3, on-disk layout in 6.1.
 * {@link #toString()} hides the encryption key.
 *
 * @param workDir cache directory, created if missing; never empty after validation
 * @param disableIndexedMap deprecated, keep false
 * @param encryptionKey hex of 32 bytes, used when {@code enableEncryption}
 * @param spaceLimit jnydus extension ({@code space_limit}): bytes the cache may hold before whole
 *     blobs not in use are evicted, oldest first; 0 (the default) means no limit, as upstream,
 *     which leaves cache space to the snapshotter
 */
public record FileCacheConfig(String workDir, boolean disableIndexedMap, boolean enableEncryption,
                              boolean enableConvergentEncryption, String encryptionKey, long spaceLimit) {
    public static final String DEFAULT_WORK_DIR = ".";

    public FileCacheConfig {
        Objects.requireNonNull(workDir, "workDir");
        Objects.requireNonNull(encryptionKey, "encryptionKey");
    }

    public static FileCacheConfig of(String workDir) {
        return new FileCacheConfig(workDir, false, false, false, "", 0);
    }

    FileCacheConfig withoutSecrets() {
        return new FileCacheConfig(workDir, disableIndexedMap, enableEncryption,
                enableConvergentEncryption, "", spaceLimit);
    }

    @Override
    public String toString() {
        return "FileCacheConfig[workDir=" + workDir + ", disableIndexedMap=" + disableIndexedMap
                + ", enableEncryption=" + enableEncryption + ", enableConvergentEncryption="
                + enableConvergentEncryption + ", encryptionKey=" + Secrets.mask(encryptionKey)
                + ", spaceLimit=" + spaceLimit + "]";
    }
}
