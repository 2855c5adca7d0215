package dev.jnydus.sys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jnydus.common.Errno;
import dev.jnydus.common.FsException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorkingDirectoryTest {
    @TempDir
    Path tmp;

    @Test
    void changesAndRestoresTheKernelsWorkingDirectory() throws Exception {
        Files.writeString(tmp.resolve("marker"), "x");
        try (Fd saved = WorkingDirectory.open()) {
            try {
                WorkingDirectory.change(tmp);
                // A relative path in a syscall now resolves in tmp.
                try (Fd f = Sys.open(Path.of("marker"), Sys.O_RDONLY)) {
                    assertThat(f.isOpen()).isTrue();
                }
            } finally {
                WorkingDirectory.change(saved);
            }
            assertThatThrownBy(() -> Sys.open(Path.of("marker"), Sys.O_RDONLY)).isInstanceOf(FsException.class);
        }
    }

    @Test
    void aMissingDirectoryIsEnoent() {
        assertThatThrownBy(() -> WorkingDirectory.change(tmp.resolve("nope")))
                .isInstanceOfSatisfying(FsException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ENOENT));
    }
}
