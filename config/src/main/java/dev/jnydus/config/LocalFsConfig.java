package dev.jnydus.config;

import java.util.List;
import java.util.Objects;

/**
 * Blobs in local files (spec 2.4 {@code localfs}).
 *
 * @param blobFile one file used for every blob id; empty when {@code dir} is used
 * @param dir blob {@code <id>} is {@code <dir>/<id>}
 * @param altDirs searched when {@code <dir>/<id>} is missing or empty
 */
public record LocalFsConfig(String blobFile, String dir, List<String> altDirs) implements BackendConfig {
    public LocalFsConfig {
        Objects.requireNonNull(blobFile, "blobFile");
        Objects.requireNonNull(dir, "dir");
        altDirs = List.copyOf(altDirs);
    }

    public static LocalFsConfig ofDir(String dir) {
        return new LocalFsConfig("", dir, List.of());
    }

    @Override
    public String type() {
        return LOCALFS;
    }
}
