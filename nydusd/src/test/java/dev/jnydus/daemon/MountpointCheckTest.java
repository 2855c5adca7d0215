package dev.jnydus.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jnydus.daemon.MountpointCheck.State;
import dev.jnydus.daemon.cli.StartupException;
import dev.jnydus.sys.MountInfo;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@link MountpointCheck} answers, with a mount table given as text: a path the table lists
 * as a FUSE mount point does not even exist on disk here, so any stat of it would fail the test.
 */
class MountpointCheckTest {
    private static final Predicate<Path> NEVER_ASKED = s -> {
        throw new AssertionError("asked " + s);
    };

    @TempDir
    Path tmp;

    private MountInfo table(String type, Path mp) throws Exception {
        return MountInfo.parse("22 1 0:21 / / rw - ext4 /dev/root rw\n"
                + "45 22 0:40 / " + mp + " ro - " + type + " rafs ro,user_id=0\n");
    }

    private MountpointCheck.Result inspect(String given, Optional<Path> sock, MountInfo t, Predicate<Path> accepts)
            throws StartupException {
        return MountpointCheck.inspect(given, sock, t, accepts);
    }

    @Test
    void aPlainDirectoryIsFree() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("mnt"));
        MountpointCheck.Result r = inspect(dir.toString(), Optional.empty(), MountInfo.read(), NEVER_ASKED);
        assertThat(r.state()).isEqualTo(State.FREE);
        assertThat(r.mountpoint()).isEqualTo(dir.toRealPath());
    }

    @Test
    void symlinksAndDotDotAreResolvedToTheRealDirectory() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("a/real"));
        Files.createSymbolicLink(tmp.resolve("link"), Path.of("a/real"));
        Files.createSymbolicLink(tmp.resolve("a/link2"), tmp.resolve("link"));
        assertThat(inspect(tmp.resolve("a/link2").toString(), Optional.empty(), MountInfo.read(), NEVER_ASKED)
                .mountpoint()).isEqualTo(dir.toRealPath());
        assertThat(inspect(tmp.resolve("a/real/..").toString(), Optional.empty(), MountInfo.read(), NEVER_ASKED)
                .mountpoint()).isEqualTo(tmp.resolve("a").toRealPath());
    }

    @Test
    void aRegularFileOrAMissingPathIsRefused() throws Exception {
        Path file = Files.writeString(tmp.resolve("file"), "x");
        assertThatThrownBy(() -> inspect(file.toString(), Optional.empty(), MountInfo.read(), NEVER_ASKED))
                .isInstanceOf(StartupException.class)
                .hasMessage("invalid mountpoint " + file + ": not a directory (a regular file); the image's root is a "
                        + "directory and must be mounted on one");
        Files.createSymbolicLink(tmp.resolve("to-file"), file);
        assertThatThrownBy(() -> inspect(tmp.resolve("to-file").toString(), Optional.empty(), MountInfo.read(),
                NEVER_ASKED)).hasMessageContaining("not a directory (a regular file)");
        assertThatThrownBy(() -> inspect(tmp.resolve("absent").toString(), Optional.empty(), MountInfo.read(),
                NEVER_ASKED)).hasMessage("invalid mountpoint " + tmp.resolve("absent") + ": no such file or directory");
    }

    @Test
    void aFuseMountIsNeverStatted() throws Exception {
        Path mp = tmp.toRealPath().resolve("gone");
        MountpointCheck.Result r = inspect(mp.toString(), Optional.empty(), table("fuse", mp), NEVER_ASKED);
        assertThat(r.state()).isEqualTo(State.FUSE_MOUNTED);
        assertThat(r.describe()).isEqualTo(mp + " is already a FUSE mount (fuse, source rafs): a daemon serves it, or"
                + " one that exited left it behind; stop that daemon or unmount " + mp + " first");
    }

    @Test
    void theApiSocketTellsAServedMountFromACrashedOne() throws Exception {
        Path mp = tmp.toRealPath().resolve("mnt");
        Path sock = Files.createFile(tmp.resolve("api.sock"));
        assertThat(inspect(mp.toString(), Optional.of(sock), table("fuse", mp), s -> true).state())
                .isEqualTo(State.SERVED);
        assertThat(inspect(mp.toString(), Optional.of(sock), table("fuse", mp), s -> false).state())
                .isEqualTo(State.CRASHED);
        // No socket file: nothing to ask (upstream's crash test needs the file).
        assertThat(inspect(mp.toString(), Optional.of(tmp.resolve("absent.sock")), table("fuse", mp), NEVER_ASKED)
                .state()).isEqualTo(State.FUSE_MOUNTED);
    }

    @Test
    void aMountOfAnotherKindIsFreeWhenItIsADirectory() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("tmpfs")).toRealPath();
        MountpointCheck.Result r = inspect(dir.toString(), Optional.empty(), table("tmpfs", dir), NEVER_ASKED);
        assertThat(r.state()).isEqualTo(State.FREE);
        assertThat(r.mount()).isPresent();
    }

    @Test
    void aListeningSocketAcceptsAndAStaleOneDoesNot() throws Exception {
        Path live = tmp.resolve("live.sock");
        Path stale = tmp.resolve("stale.sock");
        try (ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            s.bind(UnixDomainSocketAddress.of(live));
            assertThat(MountpointCheck.accepts(live)).isTrue();
        }
        try (ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            s.bind(UnixDomainSocketAddress.of(stale));
        }
        assertThat(stale).exists();
        assertThat(MountpointCheck.accepts(stale)).isFalse();
    }
}
