package dev.jnydus.fscache.fanotify;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The fanotify package reaches the cache only through its facade, the kernel only through
 * {@code dev.jnydus.sys}, and never the FUSE stack, the backends, the RAFS read path or JNA.
 */
class PackageRulesTest {
    private static final Path SRC = Path.of("src/main/java/dev/jnydus/fscache/fanotify");

    @Test
    void importsOnlyWhatItMay() throws IOException {
        assertThat(Files.isDirectory(SRC)).as("run from the module directory").isTrue();
        List<String> bad = new ArrayList<>();
        try (Stream<Path> files = Files.list(SRC)) {
            for (Path f : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".java"))::iterator) {
                for (String line : Files.readAllLines(f)) {
                    if (!line.startsWith("import ")) {
                        continue;
                    }
                    boolean cacheOther = line.startsWith("import dev.jnydus.cache.")
                            && !line.startsWith("import dev.jnydus.cache.device.");
                    boolean forbidden = line.contains("dev.jnydus.fuse") || line.contains("dev.jnydus.backend")
                            || line.contains("dev.jnydus.rafs.fs") || line.contains("dev.jnydus.daemon")
                            || line.contains("com.sun.jna");
                    if (cacheOther || forbidden) {
                        bad.add(f.getFileName() + ": " + line);
                    }
                }
            }
        }
        assertThat(bad).isEmpty();
    }
}
