package dev.jnydus.fscache.fanotify;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class MountTableTest {
    private static final List<String> LINES = List.of(
            "22 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw",
            "95 22 0:52 / /tmp/a\\040b rw,relatime shared:50 - tmpfs tmpfs rw,size=1024k",
            "96 95 0:53 / /tmp/a\\040b ro,nosuid,nodev,relatime shared:51 - erofs /work/img/boot\\040x.boot "
                    + "ro,user_xattr,acl,cache_strategy=readaround",
            "97 22 0:54 / /mnt/plain ro master:2 - fuse.nydusd /dev/fuse ro");

    @Test
    void theTopmostMountAtAPathWinsAndEscapesAreUndone() {
        MountTable.Entry e = MountTable.at(LINES, "/tmp/a b").orElseThrow();
        assertThat(e.fsType()).isEqualTo("erofs");
        assertThat(e.source()).isEqualTo("/work/img/boot x.boot");
    }

    @Test
    void optionalFieldsAreSkippedAndMissingPathsAreEmpty() {
        assertThat(MountTable.at(LINES, "/mnt/plain").orElseThrow().fsType()).isEqualTo("fuse.nydusd");
        assertThat(MountTable.at(LINES, "/nowhere")).isEmpty();
        assertThat(MountTable.at(List.of("garbage", ""), "/")).isEmpty();
    }

    @Test
    void unescapesOctalSequencesOnly() {
        assertThat(MountTable.unescape("a\\134b\\011c\\012")).isEqualTo("a\\b\tc\n");
        assertThat(MountTable.unescape("keep\\9x\\04")).isEqualTo("keep\\9x\\04");
    }
}
