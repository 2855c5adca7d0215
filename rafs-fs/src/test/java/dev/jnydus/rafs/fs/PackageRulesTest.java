package dev.jnydus.rafs.fs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** rafs-fs sees the FUSE module only through its api package, and the cache only through its facade. */
class PackageRulesTest {
    private static final Path SRC = Path.of("src/main/java/dev/jnydus/rafs/fs");

    @Test
    void importsOnlyTheApisItMay() throws IOException {
        assertThat(Files.isDirectory(SRC)).as("run from the module directory").isTrue();
        List<String> bad = new ArrayList<>();
        try (Stream<Path> files = Files.list(SRC)) {
            for (Path f : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".java"))::iterator) {
                for (String line : Files.readAllLines(f)) {
                    if (!line.startsWith("import ")) {
                        continue;
                    }
                    boolean fuseOther = line.startsWith("import dev.jnydus.fuse.") && !line.startsWith("import dev.jnydus.fuse.api.");
                    boolean cacheOther = line.startsWith("import dev.jnydus.cache.") && !line.startsWith("import dev.jnydus.cache.device.");
                    boolean forbidden = line.contains("dev.jnydus.sys") || line.contains("dev.jnydus.backend")
                            || line.contains("dev.jnydus.daemon") || line.contains("com.sun.jna")
                            || line.contains("dev.jnydus.rafs.v5") || line.contains("dev.jnydus.rafs.v6");
                    if (fuseOther || cacheOther || forbidden) {
                        bad.add(f.getFileName() + ": " + line);
                    }
                }
            }
        }
        assertThat(bad).isEmpty();
    }
}
