package dev.jnydus.rafs.metadata;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jnydus.testkit.Privileged;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Only a regular file is a bootstrap: a FIFO would block the open forever, a device has no size. */
class NonRegularBootstrapTest {
    @TempDir
    Path tmp;

    @Test
    void aFifoIsRefusedAtOnceInsteadOfWaitingForAWriter() throws Exception {
        Path fifo = tmp.resolve("bootstrap.fifo");
        Privileged.run("mkfifo", fifo.toString());
        Assertions.assertTimeoutPreemptively(Duration.ofSeconds(20), () ->
                assertThatThrownBy(() -> RafsSuper.open(fifo).close())
                        .isInstanceOf(RafsFormatException.class)
                        .hasMessage("bootstrap " + fifo + " is not a regular file (a FIFO)"));
    }

    @Test
    void devicesAndDirectoriesAreRefusedToo() {
        assertThatThrownBy(() -> RafsSuper.open(Path.of("/dev/zero")).close())
                .isInstanceOf(RafsFormatException.class).hasMessageContaining("a character device");
        assertThatThrownBy(() -> RafsSuper.open(tmp).close())
                .isInstanceOf(RafsFormatException.class).hasMessageContaining("a directory");
    }
}
