package dev.jnydus.fuse.transport.dev;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jnydus.fuse.server.Server;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class WorkerBuffersTest {
    private static final int SIZE = Server.DEFAULT_MAX_PAGES * 4096 + Server.HEADER_ROOM;

    @Test
    void aWorkerGetsTwoSeparateLazilyMappedBuffersOfTheSize() {
        try (WorkerBuffers b = WorkerBuffers.of(SIZE)) {
            assertThat(b.isLazy()).isTrue();
            ByteBuffer in = b.request();
            ByteBuffer out = b.reply();
            assertThat(in.isDirect()).isTrue();
            assertThat(out.isDirect()).isTrue();
            assertThat(in.capacity()).isEqualTo(SIZE);
            assertThat(out.capacity()).isEqualTo(SIZE);
            in.put(SIZE - 1, (byte) 7);
            out.put(SIZE - 1, (byte) 9);
            assertThat(in.get(SIZE - 1)).isEqualTo((byte) 7);
            assertThat(out.get(SIZE - 1)).isEqualTo((byte) 9);
        }
    }
}
