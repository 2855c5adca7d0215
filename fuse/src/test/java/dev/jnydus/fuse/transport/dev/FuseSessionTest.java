package dev.jnydus.fuse.transport.dev;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class FuseSessionTest {
    @Test
    void connectionIdRecombinesGlibcMajorMinorAsTheKernelsDevT() {
        // glibc makedev(0, 52) = 52; makedev(0, 300) = 0x10002c (minor bits 8.. move to bits 20..)
        assertThat(FuseSession.connectionId(52)).isEqualTo(52);
        assertThat(FuseSession.connectionId(0x10002cL)).as("minor 300").isEqualTo(300);
        // makedev(8, 1) = 0x801 -> kernel MKDEV(8, 1) = 8 << 20 | 1
        assertThat(FuseSession.connectionId(0x801)).isEqualTo((8L << 20) | 1);
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

    @Test
    void cloneIoctlNumber() {
        assertThat(DevFuseChannel.FUSE_DEV_IOC_CLONE).isEqualTo(0x8004E500L);
    }
}
