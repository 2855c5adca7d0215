package dev.jnydus.backend.options;

import java.nio.file.Path;
import java.util.List;

/**
 * The {@code localfs} backend: {@code blob_file} for every blob, else {@code <dir>/<blob_id>},
 * else the first {@code <alt_dir>/<blob_id>}.
 */
public record LocalFsOptions(Path blobFile, Path dir, List<Path> altDirs) implements BackendOptions {

    public LocalFsOptions {
        altDirs = altDirs == null ? List.of() : List.copyOf(altDirs);
        if (blobFile == null && dir == null) {
            throw new IllegalArgumentException("localfs needs blob_file or dir");
        }
    }

    @Override
    public String type() {
        return "localfs";
    }
}
