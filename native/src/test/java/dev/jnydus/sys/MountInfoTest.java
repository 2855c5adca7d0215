package dev.jnydus.sys;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class MountInfoTest {
    /** Lines as the kernel writes them: a stack of two FUSE mounts on /mnt/a b, a bind mount, junk. */
    private static final String MOUNTINFO = String.join("\n",
            "22 1 0:21 / / rw,relatime shared:1 - ext4 /dev/root rw",
            "45 22 0:40 / /mnt/a\\040b ro,nosuid,nodev,noatime shared:30 - fuse rafs ro,user_id=0,group_id=0",
            "47 45 0:41 / /mnt/a\\040b ro,nosuid,nodev,noatime - fuse.sshfs me@host:/x rw",
            "50 22 8:1 /srv /data rw master:2 - xfs /dev/sda1 rw",
            "51 22 0:50 / /mnt/fb rw - fuseblk /dev/sdb1 rw",
            "not a mountinfo line",
            "60 22 0:60 / /tab\\011and\\134back rw - tmpfs none rw",
            "61 22 0:61 / /img ro,relatime shared:51 - erofs /work/img/boot\\040x.boot ro,user_xattr,acl",
            "");

    @Test
    void theTopOfAStackIsTheMountNobodySitsOn() throws Exception {
        MountInfo t = MountInfo.parse(MOUNTINFO);
        MountInfo.Mount top = t.top(Path.of("/mnt/a b")).orElseThrow();
        assertThat(top.id()).isEqualTo(47);
        assertThat(top.fsType()).isEqualTo("fuse.sshfs");
        assertThat(top.source()).isEqualTo("me@host:/x");
        assertThat(top.isFuse()).isTrue();
        assertThat(t.countAt(Path.of("/mnt/a b"))).isEqualTo(2);
    }

    @Test
    void knowsFuseFromOtherFilesystemsAndUnescapesPaths() throws Exception {
        MountInfo t = MountInfo.parse(MOUNTINFO);
        assertThat(t.top(Path.of("/data")).orElseThrow().isFuse()).isFalse();
        assertThat(t.top(Path.of("/mnt/fb")).orElseThrow().isFuse()).isTrue();
        assertThat(t.top(Path.of("/tab\tand\\back")).orElseThrow().fsType()).isEqualTo("tmpfs");
        assertThat(t.top(Path.of("/mnt"))).isEmpty();
        assertThat(t.top(Path.of("/")).orElseThrow().device()).isEqualTo("0:21");
    }

    @Test
    void unescapesTheSourceAndOnlyWholeOctalSequences() throws Exception {
        MountInfo.Mount m = MountInfo.parse(MOUNTINFO).top(Path.of("/img")).orElseThrow();
        assertThat(m.fsType()).isEqualTo("erofs");
        assertThat(m.source()).isEqualTo("/work/img/boot x.boot");
        assertThat(MountInfo.unescape("keep\\9x\\04")).isEqualTo("keep\\9x\\04");
    }

    @Test
    void readsThisProcesssTable() throws Exception {
        assertThat(MountInfo.read().top(Path.of("/"))).isPresent();
    }
}
