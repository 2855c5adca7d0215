package dev.jnydus.config;

import java.util.Objects;
import java.util.Optional;

/**
 * The local cache (spec 2.3 {@code cache}).
 *
 * @param type as written: {@code blobcache}, {@code filecache}, {@code fscache},
 *     {@code dummycache} or {@code ""}; see {@link #kind()}
 * @param compressed keep raw compressed chunks ({@code .blob.raw}) instead of decompressed data
 * @param validate verify chunk digests of data read from cache or backend
 * @param prefetch blob-level prefetch workers
 * @param fileCache present (and required) for {@code blobcache}/{@code filecache}
 * @param fsCache present (and required) for {@code fscache}
 */
public record CacheConfig(String type, boolean compressed, boolean validate, PrefetchConfig prefetch,
                          Optional<FileCacheConfig> fileCache, Optional<FsCacheConfig> fsCache) {
    public static final String BLOBCACHE = "blobcache";
    public static final String FILECACHE = "filecache";
    public static final String FSCACHE = "fscache";
    public static final String DUMMYCACHE = "dummycache";

    /** The three cache implementations the type names select. */
    public enum Kind {
        FILE_CACHE, FS_CACHE, DUMMY
    }

    public CacheConfig {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(prefetch, "prefetch");
        Objects.requireNonNull(fileCache, "fileCache");
        Objects.requireNonNull(fsCache, "fsCache");
    }

    /** The implementation selected by {@link #type()}; unknown names fail validation earlier. */
    public Kind kind() {
        switch (type) {
            case BLOBCACHE:
            case FILECACHE:
                return Kind.FILE_CACHE;
            case FSCACHE:
                return Kind.FS_CACHE;
            default:
                return Kind.DUMMY;
        }
    }

    /** The work_dir of the selected file cache or fscache, as upstream's get_cache_working_directory. */
    public Optional<String> workDir() {
        switch (kind()) {
            case FILE_CACHE:
                return fileCache.map(FileCacheConfig::workDir);
            case FS_CACHE:
                return fsCache.map(FsCacheConfig::workDir);
            default:
                return Optional.empty();
        }
    }
}
