package dev.jnydus.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigFilesTest {
    @TempDir
    Path dir;

    @Test
    void loadsAFileUpToOneMebibyte() throws Exception {
        String doc = Examples.text(Examples.V2_S3);
        // Pad with whitespace to exactly the limit: still accepted.
        String padded = doc + " ".repeat((int) NydusConfig.MAX_FILE_SIZE - doc.getBytes(StandardCharsets.UTF_8).length);
        Path f = Files.writeString(dir.resolve("config.json"), padded);
        assertThat(Files.size(f)).isEqualTo(NydusConfig.MAX_FILE_SIZE);

        assertThat(NydusConfig.load(f)).isEqualTo(NydusConfig.parse(doc));
    }

    @Test
    void refusesLargerFiles() throws Exception {
        Path f = Files.writeString(dir.resolve("big.json"), " ".repeat((int) NydusConfig.MAX_FILE_SIZE + 1));

        assertThatThrownBy(() -> NydusConfig.load(f))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("configuration file size is too big")
                .extracting(e -> ((ConfigException) e).kind()).isEqualTo(ConfigException.Kind.IO);
    }

    @Test
    void aFileThatNeverEndsIsReadNoFurtherThanTheLimit() {
        // /dev/zero reports size 0 and never ends: it used to be read until the heap ran out.
        assertThatThrownBy(() -> NydusConfig.load(Path.of("/dev/zero")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("failed to read configuration file: /dev/zero: configuration file size is too big "
                        + "(more than 1048576 bytes)");
    }

    @Test
    void refusesMissingFilesAndInvalidUtf8() throws Exception {
        assertThatThrownBy(() -> NydusConfig.load(dir.resolve("absent.json")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("failed to read configuration file: " + dir.resolve("absent.json")
                        + ": No such file or directory");
        Path bad = Files.write(dir.resolve("bad.json"), new byte[] {'{', (byte) 0xff, '}'});
        assertThatThrownBy(() -> NydusConfig.load(bad))
                .isInstanceOf(ConfigException.class)
                .hasMessageEndingWith("stream did not contain valid UTF-8");
    }

    @Test
    void singletonConfigLoadsFromAFile() throws Exception {
        Path f = Files.writeString(dir.resolve("singleton.json"),
                "{\"blobs\": [" + Examples.text(Examples.ENTRY_LEGACY) + ", " + Examples.text(Examples.ENTRY_V2) + "]}");

        assertThat(SingletonConfig.load(f)).extracting(BlobCacheEntry::blobId)
                .containsExactly("b5c1…fscache-id", "image1");
    }
}
