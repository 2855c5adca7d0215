package dev.jnydus.fscache.cachefiles;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jnydus.common.Errno;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class CommandsTest {
    @Test
    void writesUpstreamsCommands() {
        assertThat(Commands.dir(Path.of("/var/lib/nydus/cache"))).isEqualTo("dir /var/lib/nydus/cache");
        assertThat(Commands.tag("nydus")).isEqualTo("tag nydus");
        assertThat(Commands.bindOndemand()).isEqualTo("bind ondemand");
        assertThat(Commands.restore()).isEqualTo("restore");
        assertThat(Commands.copen(21, 2277376)).isEqualTo("copen 21,2277376");
        assertThat(Commands.copen(-1, 0)).isEqualTo("copen 4294967295,0");
        assertThat(Commands.copenError(21, Errno.ENOENT)).isEqualTo("copen 21,-2");
        assertThat(Commands.cull("Dabc")).isEqualTo("cull Dabc");
        assertThat(Commands.inuse("Dabc")).isEqualTo("inuse Dabc");
    }

    @Test
    void refusesWhatTheKernelWouldCutOrRefuse() {
        assertThatThrownBy(() -> Commands.tag("a\nb")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Commands.tag("")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Commands.cull("a/b")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Commands.dir(Path.of("/" + "x".repeat(4100)))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Commands.copen(1, -5)).isInstanceOf(IllegalArgumentException.class);
    }
}
