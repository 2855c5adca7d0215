package dev.jnydus.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jnydus.rafs.metadata.ImageValidator;
import dev.jnydus.rafs.metadata.RafsSuper;
import dev.jnydus.testkit.Fixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResidentMetadataTest {
    @TempDir
    Path tmp;

    @Test
    void theCheckedBootstrapLeavesTheResidentSetAndReadsTheSameAfterwards() throws Exception {
        for (String fixture : List.of("upstream-v6-zstd-blake3", Fixtures.V5_SHA256_NOCOMPRESS)) {
            // A copy of our own, so that no other mapping of the fixture shares the path in smaps.
            Path bootstrap = Files.copy(Fixtures.dir(fixture).resolve("bootstrap"), tmp.resolve(fixture + ".boot"));
            try (RafsSuper sb = RafsSuper.open(bootstrap)) {
                long entries = ImageValidator.validate(sb);
                assertThat(residentKib(bootstrap)).as("%s mapped after the check", fixture).isPositive();

                ResidentMetadata.release(sb);

                assertThat(residentKib(bootstrap)).as("%s after the release", fixture).isZero();
                assertThat(ImageValidator.validate(sb)).isEqualTo(entries);
            }
        }
    }

    @Test
    void bytesInMemoryHaveNothingToRelease() throws Exception {
        byte[] bytes = Files.readAllBytes(Fixtures.dir("upstream-v6-zstd-blake3").resolve("bootstrap"));
        try (RafsSuper sb = RafsSuper.fromBytes(bytes)) {
            assertThat(sb.mappedMetadata()).isEmpty();
            ResidentMetadata.release(sb);
            assertThat(ImageValidator.validate(sb)).isPositive();
        }
    }

    /** The resident size of this process's mappings of {@code file} (/proc/self/smaps). */
    private static long residentKib(Path file) throws Exception {
        String name = file.toRealPath().toString();
        long kib = 0;
        boolean inside = false;
        for (String line : Files.readAllLines(Path.of("/proc/self/smaps"))) {
            if (line.matches("^[0-9a-f]+-[0-9a-f]+ .*")) {
                inside = line.endsWith(" " + name);
                continue;
            }
            if (inside && line.startsWith("Rss:")) {
                kib += Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return kib;
    }
}
