package dev.jnydus.testkit;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Locates the upstream-built images in {@code ../shared/fixtures}. They are read in place and never
 * copied into the repository.
 */
public final class Fixtures {
    private Fixtures() {
    }

    /** The fixtures directory: the {@code jnydus.fixtures} property, else found upwards from the cwd. */
    public static Path root() {
        String prop = System.getProperty("jnydus.fixtures");
        if (prop != null && Files.isDirectory(Path.of(prop))) {
            return Path.of(prop).toAbsolutePath().normalize();
        }
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path cand = p.resolve("shared/fixtures");
            if (Files.isDirectory(cand)) {
                return cand;
            }
            cand = p.resolve("../shared/fixtures");
            if (Files.isDirectory(cand)) {
                return cand.normalize();
            }
        }
        throw new IllegalStateException("cannot find ../shared/fixtures (set -Djnydus.fixtures)");
    }

    /** One fixture directory, e.g. {@code upstream-v5-sha256-nocompress}. */
    public static Path dir(String name) {
        Path p = root().resolve(name);
        if (!Files.isDirectory(p)) {
            throw new IllegalStateException("fixture " + name + " not found in " + root());
        }
        return p;
    }

    public static final String V5_SHA256_NOCOMPRESS = "upstream-v5-sha256-nocompress";
}
