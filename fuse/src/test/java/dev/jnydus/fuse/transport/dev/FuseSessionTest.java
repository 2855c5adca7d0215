package dev.jnydus.fuse.transport.dev;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jnydus.common.FsException;
import dev.jnydus.sys.Fd;
import dev.jnydus.sys.MountInfo;
import dev.jnydus.sys.Sys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FuseSessionTest {
    @Test
    void connectionIdIsTheMountTablesMajorMinorAsTheKernelsDevT() throws Exception {
        MountInfo table = MountInfo.parse(String.join("\n",
                "22 1 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw",
                "85 30 0:52 / /mnt/a rw,nosuid,nodev,relatime shared:40 - fuse rafs rw,user_id=0,group_id=0",
                "86 30 0:300 / /mnt/with\\040space rw - fuse rafs rw",
                "87 85 8:1 / /mnt/a rw - ext4 /dev/sda1 rw",
                "88 30 0:53 / /mnt/b\\134x rw - fuse rafs rw"));
        assertThat(table.connectionId(Path.of("/mnt/with space"), false)).hasValue(300);
        assertThat(table.connectionId(Path.of("/mnt/a"), false)).as("the mount on top").hasValue((8L << 20) | 1);
        assertThat(table.connectionId(Path.of("/mnt/b\\x"), false)).hasValue(53);
        assertThat(table.connectionId(Path.of("/mnt/none"), false)).isEmpty();
        assertThat(table.connectionId(Path.of("/mnt/a"), true)).as("ext4 on top").isEmpty();
        assertThat(table.connectionId(Path.of("/mnt/b\\x"), true)).hasValue(53);
        assertThat(table.connectionId(Path.of("/proc"), true)).isEmpty();
    }

    @Test
    void onlyDevFuseIsASessionDescriptor() throws Exception {
        Fd[] p = Sys.pipe(0);
        try (Fd r = p[0]; Fd w = p[1]) {
            assertThatThrownBy(() -> FuseSession.requireFuseDevice(r)).isInstanceOf(FsException.class)
                    .hasMessageContaining("not /dev/fuse").hasMessageContaining("pipe:");
        }
        if (Files.exists(DevFuseChannel.DEV_FUSE)) {
            try (Fd f = Sys.open(DevFuseChannel.DEV_FUSE, Sys.O_RDWR)) {
                FuseSession.requireFuseDevice(f);
            }
        }
    }

    @Test
    void fusectlTriesEachRootInTurn(@TempDir Path tmp) throws Exception {
        Path first = tmp.resolve("proc");
        Path second = Files.createDirectories(tmp.resolve("sys/42"));
        Files.createFile(second.resolve("resend"));
        Fusectl ctl = new Fusectl(List.of(first, tmp.resolve("sys")));
        ctl.resend(42);
        assertThat(Files.readString(second.resolve("resend"))).isEqualTo("1");
        assertThatThrownBy(() -> ctl.flush(42)).isInstanceOf(FsException.class).hasMessageContaining("42/flush");
    }

    @Test
    void mountOptionsDefaultsAndValidation() {
        MountOptions o = MountOptions.builder(Path.of("/mnt/x")).build();
        assertThat(o.fsName()).isEqualTo("rafs");
        assertThat(o.fsType()).isEqualTo("fuse");
        assertThat(o.readOnly()).isTrue();
        assertThat(o.allowOther()).isTrue();
        assertThat(o.maxRead()).isEqualTo(1052672);
        assertThat(MountOptions.builder(Path.of("/m")).subtype("nydus").build().fsType()).isEqualTo("fuse.nydus");
        assertThatThrownBy(() -> MountOptions.builder(Path.of("/m")).fsName("a,b").build()).hasMessageContaining("a,b");
        assertThatThrownBy(() -> MountOptions.builder(Path.of("/m")).maxRead(-1).build()).hasMessageContaining("-1");
    }
}
