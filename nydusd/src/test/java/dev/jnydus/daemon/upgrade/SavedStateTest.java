package dev.jnydus.daemon.upgrade;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The saved-state document: what this version writes is read back unchanged, and every fixture
 * written by a released version ({@code state-v1.json} and later) is still read. A version that
 * changes the format adds its own fixture and keeps the old ones passing.
 */
class SavedStateTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The state {@code state-v1.json} holds: a shared daemon with two RAFS mounts. */
    static SavedState sample() {
        FuseSessionState fuse = new FuseSessionState("/var/lib/containerd-nydus/mnt", 51,
                new FuseSessionState.Init(7, 41, 0x1_0000_4001_F3FBL, 0x3_FFFF_FFFF_FBFFL, 131072, 1048576, 256),
                new FuseSessionState.VfsLayout(List.of(new FuseSessionState.PseudoDir(2, 1, "snap-1"),
                        new FuseSessionState.PseudoDir(3, 1, "snap-2")), 4, 3));
        String config = "{\"version\":2,\"id\":\"/snap-1\",\"backend\":{\"type\":\"registry\",\"registry\":"
                + "{\"host\":\"127.0.0.1:5000\",\"repo\":\"library/app\",\"scheme\":\"http\"}},"
                + "\"cache\":{\"type\":\"blobcache\",\"filecache\":{\"work_dir\":\"/var/lib/nydus/cache\"}}}";
        return new SavedState(SavedState.FUSE, "0.1.0 0123456789abcdef", Optional.of(fuse), List.of(
                new SavedMount.Rafs("/snap-1", "rafs", "/var/lib/nydus/snap-1/image.boot", config,
                        Optional.of(List.of("/usr/bin", "/etc/hosts")), 1),
                new SavedMount.Rafs("/snap-2", "rafs", "/var/lib/nydus/snap-2/image.boot", config.replace("snap-1",
                        "snap-2"), Optional.empty(), 2)),
                Map.of("/snap-1:registry_auth", "dXNlcjpwYXNz"), Map.of());
    }

    private static byte[] fixture(String name) throws IOException {
        try (InputStream in = SavedStateTest.class.getResourceAsStream(name)) {
            assertThat(in).as("fixture %s", name).isNotNull();
            return in.readAllBytes();
        }
    }

    @Test
    void whatThisVersionWritesItReadsBack() throws Exception {
        SavedState s = sample();
        assertThat(SavedState.parse(s.toBytes())).isEqualTo(s);
    }

    @Test
    void theVersion1FixtureIsReadAndIsWhatThisVersionWrites() throws Exception {
        byte[] v1 = fixture("state-v1.json");
        assertThat(SavedState.parse(v1)).isEqualTo(sample());
        // While this build writes version 1, the fixture is its exact output, member for member.
        if (SavedState.VERSION == 1) {
            assertThat(JSON.readTree(sample().toBytes())).isEqualTo(JSON.readTree(v1));
        }
    }

    @Test
    void membersAndMountTypesALaterVersionAddsAreKeptOrIgnored() throws Exception {
        String doc = new String(sample().toBytes(), StandardCharsets.UTF_8)
                .replace("\"mounts\" : [", "\"mounts\" : [ {\"type\":\"erofs-fanotify\",\"mountpoint\":\"/snap-9\","
                        + "\"blob\":\"b\"},")
                .replace("\"daemon\" : \"fuse\",", "\"daemon\" : \"fuse\", \"future_member\": 17,"
                        + " \"fscache\": {\"dir\": \"/var/cache\", \"threads\": 4},");
        SavedState s = SavedState.parse(doc.getBytes(StandardCharsets.UTF_8));
        assertThat(s.mounts()).hasSize(3);
        assertThat(s.mounts().get(0)).isInstanceOfSatisfying(SavedMount.Unknown.class, u -> {
            assertThat(u.type()).isEqualTo("erofs-fanotify");
            assertThat(u.mountpoint()).isEqualTo("/snap-9");
        });
        assertThat(s.sections()).containsOnlyKeys("fscache");
        assertThat(SavedState.parse(s.toBytes())).isEqualTo(s);
    }

    @Test
    void aNewerVersionAnotherFormatAndBrokenMembersAreRefusedByName() {
        String good = new String(sample().toBytes(), StandardCharsets.UTF_8);
        assertThatThrownBy(() -> SavedState.parse(good.replace("\"version\" : 1", "\"version\" : 2")
                .getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(StateFormatException.class).hasMessageContaining("version 2, written by a newer jnydus");
        assertThatThrownBy(() -> SavedState.parse(new byte[] {1, 0, 0, 0, 42}))
                .isInstanceOf(StateFormatException.class).hasMessageContaining("not JSON");
        assertThatThrownBy(() -> SavedState.parse("{\"fs_mount_cmd_list\":[]}".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(StateFormatException.class).hasMessageContaining("Rust nydusd");
        assertThatThrownBy(() -> SavedState.parse(good.replace("\"vfs_index\" : 2", "\"vfs_index\" : 0")
                .getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(StateFormatException.class).hasMessageContaining("vfs_index must be 1..255");
        assertThatThrownBy(() -> SavedState.parse(good.replace("\"connection_id\" : 51", "\"connection_id\" : \"51\"")
                .getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(StateFormatException.class).hasMessageContaining("connection_id is not an integer");
    }
}
