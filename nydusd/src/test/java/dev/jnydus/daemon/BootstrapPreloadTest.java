package dev.jnydus.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jnydus.daemon.cli.StartupException;
import dev.jnydus.testkit.Fixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The start's early bootstrap: handed over once, its errors kept for the point where it is opened. */
class BootstrapPreloadTest {
    @TempDir
    Path tmp;

    @Test
    void theOpenedBootstrapAndItsCheckAreHandedOverOnceAndNotClosedAfterwards() throws Exception {
        Path boot = Fixtures.dir("upstream-v6-zstd-blake3").resolve("bootstrap");
        RafsInstance.OpenedBootstrap o;
        try (BootstrapPreload p = BootstrapPreload.start(boot)) {
            assertThat(p.take(tmp.resolve("other"))).as("another path").isNull();
            o = p.take(boot);
            assertThat(o).isNotNull();
            assertThat(p.take(boot)).as("taken already").isNull();
        }
        try {
            assertThat(o.validation().await().entries()).as("entries checked").isPositive();
            assertThat(o.sb().inode(o.sb().rootIno()).isDir()).as("still open after the preload closed").isTrue();
        } finally {
            o.discard();
        }
    }

    @Test
    void whatOpeningThrowsIsThrownByTakeNotByStart() throws Exception {
        Path bad = Files.write(tmp.resolve("bootstrap"), new byte[100]);
        try (BootstrapPreload p = BootstrapPreload.start(bad)) {
            assertThatThrownBy(() -> p.take(bad)).isInstanceOf(StartupException.class)
                    .hasMessageContaining("failed to load bootstrap " + bad);
        }
        Path missing = tmp.resolve("missing");
        try (BootstrapPreload p = BootstrapPreload.start(missing)) {
            assertThatThrownBy(() -> p.take(missing)).isInstanceOf(StartupException.class)
                    .hasMessageContaining("no such file");
        }
    }
}
