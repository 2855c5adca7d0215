package dev.jnydus.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jnydus.sys.Fd;
import dev.jnydus.sys.Sys;
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

/** The supervisor protocol both ways, with a pipe standing in for the device fd. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class SupervisorLinkTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path tmp;

    @Test
    void stateAndDescriptorGoToTheSupervisorAndComeBack() throws Exception {
        Path sock = tmp.resolve("sup.sock");
        // Bigger than the 32 KiB first buffer: the rest comes with plain reads.
        byte[] state = new byte[100_000];
        Arrays.fill(state, (byte) 'x');
        state[99_999] = 'y';
        Fd[] pipe = Sys.pipe(0);
        try (TestSupervisor sup = new TestSupervisor(sock); Fd r = pipe[0]; Fd w = pipe[1]) {
            CompletableFuture<byte[]> saved = sup.expectSave();
            SupervisorLink.save(sock, state, w);
            assertThat(TestSupervisor.await(saved, WAIT)).isEqualTo(state);

            CompletableFuture<Void> handed = sup.expectTakeover();
            SupervisorLink.Received got = SupervisorLink.restore(sock);
            TestSupervisor.await(handed, WAIT);
            assertThat(got.state()).isEqualTo(state);
            assertThat(got.fds()).hasSize(1);
            // The descriptor that came back is the pipe's write end: what goes in comes out at r.
            try (Fd back = got.fds().get(0)) {
                Sys.write(back, ByteBuffer.wrap("through".getBytes(StandardCharsets.US_ASCII)));
                ByteBuffer in = ByteBuffer.allocate(16);
                Sys.read(r, in);
                assertThat(new String(in.array(), 0, in.position(), StandardCharsets.US_ASCII)).isEqualTo("through");
            }
        }
    }

    @Test
    void noSupervisorListeningIsAnError() {
        assertThatThrownBy(() -> SupervisorLink.restore(tmp.resolve("nobody.sock")))
                .isInstanceOf(java.io.IOException.class).hasMessageContaining("connect");
    }
}
