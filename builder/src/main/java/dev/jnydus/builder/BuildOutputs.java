package dev.jnydus.builder;

import java.nio.file.Path;

/**
 * Where {@code create} writes: the bootstrap file (or, when {@code null}, a file named by the
 * SHA-256 of the bootstrap in {@code blobDir}), and the data blob either as {@code blobFile} or as
 * a file named by its blob id in {@code blobDir}.
 */
public record BuildOutputs(Path bootstrap, Path blobDir, Path blobFile) {
    public BuildOutputs {
        if (bootstrap == null && blobDir == null) {
            throw new IllegalArgumentException(
                    "both --bootstrap and --blob-dir are missing, please specify one to store the generated metadata blob file");
        }
        if (blobDir == null && blobFile == null) {
            throw new IllegalArgumentException("both --blob and --blob-dir are missing");
        }
    }

    public static BuildOutputs toDir(Path bootstrap, Path blobDir) {
        return new BuildOutputs(bootstrap, blobDir, null);
    }
}
