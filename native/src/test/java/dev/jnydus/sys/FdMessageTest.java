package dev.jnydus.sys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jnydus.common.Errno;
import dev.jnydus.common.FsException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class FdMessageTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path tmp;

    private static String readPipe(Fd r) throws FsException {
        ByteBuffer in = ByteBuffer.allocate(64);
        Sys.read(r, in);
        return new String(in.array(), 0, in.position(), StandardCharsets.US_ASCII);
    }

    @Test
    void aMessageLargerThanOneSegmentArrivesWholeWithItsDescriptor() throws Exception {
        Path sock = tmp.resolve("sup.sock");
        byte[] state = new byte[3 * FdMessage.SEGMENT + 17];
        Arrays.fill(state, (byte) 'x');
        state[state.length - 1] = 'y';
        Fd[] pipe = Sys.pipe(0);
        try (Fd listening = UnixSockets.listenUnix(sock, 1); Fd r = pipe[0]; Fd w = pipe[1]) {
            CompletableFuture<FdMessage> got = CompletableFuture.supplyAsync(() -> {
                try (Fd conn = UnixSockets.accept(listening)) {
                    return FdMessage.receive(conn, 16, WAIT);
                } catch (FsException e) {
                    throw new RuntimeException(e);
                }
            });
            FdMessage.send(sock, state, w);
            try (FdMessage m = got.get(10, TimeUnit.SECONDS)) {
                assertThat(m.payload()).isEqualTo(state);
                assertThat(m.fds()).hasSize(1);
                // The descriptor is the pipe's write end: what goes in comes out at r.
                try (Fd back = m.take(0)) {
                    Sys.write(back, ByteBuffer.wrap("through".getBytes(StandardCharsets.US_ASCII)));
                    assertThat(readPipe(r)).isEqualTo("through");
                }
                assertThat(m.fds().get(0).isOpen()).as("taken out of the message").isFalse();
            }
        }
    }

    @Test
    void theReceiverMayBeTheOneWhoConnects() throws Exception {
        Path sock = tmp.resolve("send.sock");
        Fd[] pipe = Sys.pipe(0);
        try (Fd listening = UnixSockets.listenUnix(sock, 1); Fd r = pipe[0]; Fd w = pipe[1]) {
            CompletableFuture<Void> sent = CompletableFuture.runAsync(() -> {
                try (Fd conn = UnixSockets.accept(listening)) {
                    FdMessage.send(conn, "state".getBytes(StandardCharsets.US_ASCII), w);
                } catch (FsException e) {
                    throw new RuntimeException(e);
                }
            });
            try (FdMessage m = FdMessage.receive(sock, 16, WAIT)) {
                sent.get(10, TimeUnit.SECONDS);
                assertThat(new String(m.payload(), StandardCharsets.US_ASCII)).isEqualTo("state");
                assertThat(m.fds()).hasSize(1);
            }
        }
    }

    @Test
    void aSilentPeerTimesOutAndNothingLeaks() throws Exception {
        Fd[] sp = UnixSockets.socketpair(UnixSockets.SOCK_STREAM);
        try (Fd a = sp[0]; Fd b = sp[1]) {
            assertThatThrownBy(() -> FdMessage.receive(b, 1, Duration.ofMillis(50)))
                    .isInstanceOfSatisfying(FsException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ETIMEDOUT));
        }
    }

    @Test
    void tooManyDescriptorsAreRefusedAndTheReceivedOnesClosed() throws Exception {
        Fd[] sp = UnixSockets.socketpair(UnixSockets.SOCK_STREAM);
        Fd[] p1 = Sys.pipe(0);
        Fd[] p2 = Sys.pipe(0);
        try (Fd a = sp[0]; Fd b = sp[1]; Fd x = p1[0]; Fd y = p1[1]; Fd z = p2[0]; Fd u = p2[1]) {
            FdMessage.send(a, new byte[] {1}, x, y, z);
            a.close();
            assertThatThrownBy(() -> FdMessage.receive(b, 1, WAIT))
                    .isInstanceOfSatisfying(FsException.class, e -> assertThat(e.errno()).isEqualTo(Errno.E2BIG));
        }
    }

    @Test
    void descriptorsNeedABodyToTravelWith() throws Exception {
        Fd[] sp = UnixSockets.socketpair(UnixSockets.SOCK_STREAM);
        try (Fd a = sp[0]; Fd b = sp[1]) {
            assertThatThrownBy(() -> FdMessage.send(a, new byte[0], b))
                    .isInstanceOfSatisfying(FsException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EINVAL));
        }
    }

    @Test
    void nobodyListeningIsEnoent() {
        assertThatThrownBy(() -> FdMessage.receive(tmp.resolve("nobody.sock"), 1, WAIT))
                .isInstanceOfSatisfying(FsException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ENOENT));
    }
}
