package dev.jnydus.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jnydus.daemon.upgrade.SavedMount;
import dev.jnydus.daemon.upgrade.SavedState;
import dev.jnydus.daemon.upgrade.StateFormatException;
import dev.jnydus.daemon.upgrade.SupervisorClient;
import dev.jnydus.sys.Fd;
import dev.jnydus.sys.FdMessage;
import dev.jnydus.sys.Sys;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon's supervisor client against the snapshotter's supervisor protocol
 * ({@link SnapshotterSupervisor}), with a pipe standing in for the session descriptor.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SupervisorProtocolTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path tmp;

    private static SavedState state(int mounts) {
        List<SavedMount> ms = new java.util.ArrayList<>();
        for (int i = 1; i <= mounts; i++) {
            // Configurations of a few KiB each, as the snapshotter writes them: state beyond one segment.
            ms.add(new SavedMount.Rafs("/snap-" + i, "rafs", "/images/" + i + ".boot", "{\"pad\":\""
                    + "x".repeat(4000) + "\"}", Optional.empty(), i));
        }
        return new SavedState(SavedState.FUSE, "test", Optional.empty(), ms, Map.of(), Map.of());
    }

    @Test
    void stateAndDescriptorGoToTheSupervisorAndComeBackToTheNextDaemon() throws Exception {
        Path sock = tmp.resolve("supervisor.sock");
        SavedState saved = state(20);
        Fd[] pipe = Sys.pipe(0);
        try (SnapshotterSupervisor sup = new SnapshotterSupervisor(sock); Fd r = pipe[0]; Fd w = pipe[1]) {
            SupervisorClient client = new SupervisorClient(sock);
            sup.fetchDaemonStates(() -> {
                client.save(saved, w);
                return null;
            }, WAIT);
            assertThat(sup.state().length).isGreaterThan(FdMessage.SEGMENT * 2);
            w.close();
            sup.sendStatesTimeout(WAIT);
            SupervisorClient.Restored back = client.restore();
            sup.awaitSent(WAIT);
            assertThat(back.state()).isEqualTo(saved);
            try (Fd fd = back.fd()) {
                Sys.write(fd, ByteBuffer.wrap("alive".getBytes(StandardCharsets.US_ASCII)));
                ByteBuffer in = ByteBuffer.allocate(8);
                Sys.read(r, in);
                assertThat(new String(in.array(), 0, in.position(), StandardCharsets.US_ASCII)).isEqualTo("alive");
            }
            // The supervisor still holds its own copy, for the next failover, and the next.
            assertThat(sup.fd().isOpen()).isTrue();
            for (int i = 0; i < 3; i++) {
                sup.sendStatesTimeout(WAIT);
                try (Fd again = client.restore().fd()) {
                    sup.awaitSent(WAIT);
                    assertThat(again.isOpen()).isTrue();
                }
            }
        }
    }

    @Test
    void aStateThisVersionCannotReadClosesTheDescriptorItCameWith() throws Exception {
        Path sock = tmp.resolve("supervisor.sock");
        Fd[] pipe = Sys.pipe(0);
        try (SnapshotterSupervisor sup = new SnapshotterSupervisor(sock); Fd r = pipe[0]; Fd w = pipe[1]) {
            sup.fetchDaemonStates(() -> {
                FdMessage.send(sock, "{\"format\":\"jnydus-daemon-state\",\"version\":99}"
                        .getBytes(StandardCharsets.UTF_8), w);
                return null;
            }, WAIT);
            w.close();
            sup.sendStatesTimeout(WAIT);
            assertThatThrownBy(() -> new SupervisorClient(sock).restore()).isInstanceOf(StateFormatException.class)
                    .hasMessageContaining("version 99");
            sup.awaitSent(WAIT);
            sup.close();
            // Every write end is closed again: the pipe reads EOF.
            assertThat(Sys.read(r, ByteBuffer.allocate(4))).isZero();
        }
    }

    @Test
    void noSupervisorListeningFailsBothWays() {
        SupervisorClient client = new SupervisorClient(tmp.resolve("nobody.sock"));
        assertThatThrownBy(client::restore).hasMessageContaining("connect");
        assertThatThrownBy(() -> client.save(state(1), Fd.adopt(0))).hasMessageContaining("connect");
    }
}
