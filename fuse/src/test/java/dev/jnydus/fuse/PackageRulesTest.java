package dev.jnydus.fuse;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The layering rules of the fuse module, checked on the sources: only {@code transport.dev}
 * touches native code; abi, api and the SPI import nothing above them.
 */
class PackageRulesTest {
    private static final Path SRC = Path.of("src/main/java/dev/jnydus/fuse");

    private static List<String> violations(String pkgDir, String... forbidden) throws IOException {
        List<String> bad = new ArrayList<>();
        Path dir = SRC.resolve(pkgDir);
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".java"))::iterator) {
                for (String line : Files.readAllLines(f)) {
                    if (!line.startsWith("import ")) {
                        continue;
                    }
                    for (String x : forbidden) {
                        if (line.contains(x)) {
                            bad.add(f.getFileName() + ": " + line);
                        }
                    }
                }
            }
        }
        return bad;
    }

    @Test
    void onlyTheDevTransportImportsNativeCode() throws IOException {
        assertThat(Files.isDirectory(SRC)).as("run from the module directory").isTrue();
        for (String p : new String[] {"abi", "api", "server", "transport", "vfs"}) {
            assertThat(violations(p, "dev.jnydus.sys", "com.sun.jna")).as(p).isEmpty();
        }
        assertThat(violations("transport/dev", "com.sun.jna")).isEmpty();
    }

    @Test
    void lowerLayersDoNotImportHigherOnes() throws IOException {
        assertThat(violations("abi", "dev.jnydus.fuse.api", "dev.jnydus.fuse.server", "dev.jnydus.fuse.transport"))
                .isEmpty();
        assertThat(violations("api", "dev.jnydus.fuse.abi", "dev.jnydus.fuse.server", "dev.jnydus.fuse.transport"))
                .isEmpty();
        assertThat(violations("transport", "dev.jnydus.fuse.server", "dev.jnydus.fuse.api")).isEmpty();
        assertThat(violations("server", "dev.jnydus.fuse.transport.dev")).isEmpty();
        assertThat(violations("vfs", "dev.jnydus.fuse.abi", "dev.jnydus.fuse.server", "dev.jnydus.fuse.transport"))
                .isEmpty();
    }
}
