package dev.jnydus.sys;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jnydus.common.Errno;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class EpollSetTest {
    @Test
    void reportsTheIndexOfEachReadyDescriptorLevelTriggered() throws Exception {
        try (Fd a = Sys.eventfd(0, Sys.EFD_NONBLOCK); Fd b = Sys.eventfd(0, Sys.EFD_NONBLOCK);
                EpollSet set = new EpollSet(2)) {
            set.addReadable(a, 7, true);
            set.addReadable(b, 9, false);
            assertThat(set.await(0)).as("nothing ready").isZero();
            Sys.eventfdWrite(b, 1);
            assertThat(set.await(1000)).isEqualTo(1);
            assertThat(set.ready(0)).isEqualTo(9);
            assertThat(set.await(1000)).as("still readable: reported again").isEqualTo(1);
            Sys.eventfdRead(b);
            Sys.eventfdWrite(a, 1);
            assertThat(set.await(1000)).isEqualTo(1);
            assertThat(set.ready(0)).isEqualTo(7);
            Sys.eventfdWrite(b, 1);
            assertThat(set.await(1000)).isEqualTo(2);
            assertThat(java.util.Set.of(set.ready(0), set.ready(1))).containsExactlyInAnyOrder(7, 9);
        }
    }

    @Test
    void wakesAThreadBlockedForever() throws Exception {
        try (Fd e = Sys.eventfd(0, Sys.EFD_NONBLOCK); EpollSet set = new EpollSet(1)) {
            set.addReadable(e, 3, true);
            CompletableFuture<Integer> woke = CompletableFuture.supplyAsync(() -> {
                try {
                    return set.await(-1) == 1 ? set.ready(0) : -1;
                } catch (Exception ex) {
                    throw new IllegalStateException(ex);
                }
            });
            Sys.eventfdWrite(e, 1);
            assertThat(woke.get(10, TimeUnit.SECONDS)).isEqualTo(3);
        }
    }

    @Test
    void readOrErrnoGivesTheErrnoWithoutThrowing() throws Exception {
        try (Fd e = Sys.eventfd(0, Sys.EFD_NONBLOCK)) {
            ByteBuffer b = ByteBuffer.allocateDirect(8);
            assertThat(Sys.readOrErrno(e, b)).isEqualTo(-Errno.EAGAIN.number());
            assertThat(b.position()).isZero();
            Sys.eventfdWrite(e, 5);
            assertThat(Sys.readOrErrno(e, b)).isEqualTo(8);
            assertThat(b.position()).isEqualTo(8);
        }
    }
}
