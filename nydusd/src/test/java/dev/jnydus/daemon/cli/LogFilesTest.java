package dev.jnydus.daemon.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class LogFilesTest {
    private static final Path CWD = Path.of("/work/dir");

    @ParameterizedTest
    @CsvSource({
        "nydusd, /work/dir/nydusd.log",
        "nydusd.log, /work/dir/nydusd.log",
        "nydusd.txt, /work/dir/nydusd.txt",
        "logs/nydusd, /work/dir/logs/nydusd.log",
        "/var/log/nydusd, /var/log/nydusd.log",
        "/var/log/nydusd.1.gz, /var/log/nydusd.1.gz",
        "/var/log/.hidden, /var/log/.hidden.log",
        "/var/log/, /var/log.log",
    })
    void addsLogExtensionAndResolvesAgainstCwd(String arg, String expected) throws Exception {
        assertThat(LogFiles.resolve(arg, CWD)).isEqualTo(Path.of(expected));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "/", "..", "a/..", "bad\0name"})
    void namesWithoutAFileAreRefused(String arg) {
        assertThatThrownBy(() -> LogFiles.resolve(arg, CWD))
                .isInstanceOf(StartupException.class)
                .hasMessageStartingWith("invalid file name input");
    }
}
