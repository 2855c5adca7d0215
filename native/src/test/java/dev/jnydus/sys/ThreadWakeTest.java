package dev.jnydus.sys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jnydus.common.Errno;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ThreadWakeTest {
    @Test
    void aThreadAsleepInReadReturnsEintrAndNothingIsRead() throws Exception {
        assumeTrue(Sys.isAvailable(), "native access");
        ThreadWake.install();
        Fd[] p = Sys.pipe(0); // blocking: the reader sleeps in read(2)
        try (Fd r = p[0]; Fd w = p[1]) {
            CompletableFuture<Integer> tid = new CompletableFuture<>();
            CompletableFuture<Integer> result = new CompletableFuture<>();
            Thread reader = new Thread(() -> {
                try {
                    tid.complete(Threads.currentTid());
                    result.complete(Sys.readOrErrno(r, ByteBuffer.allocateDirect(16)));
                } catch (Throwable t) {
                    result.completeExceptionally(t);
                }
            }, "thread-wake-test");
            reader.setDaemon(true);
            reader.start();
            int n = 0;
            // A signal sent before the thread is in read(2) is lost: send until the read returns.
            while (!result.isDone() && n < 5000) {
                ThreadWake.wake(tid.get(10, TimeUnit.SECONDS));
                n++;
                try {
                    result.get(2, TimeUnit.MILLISECONDS);
                } catch (TimeoutException e) {
                    // not yet
                }
            }
            assertThat(result.get(10, TimeUnit.SECONDS)).isEqualTo(-Errno.EINTR.number());
            reader.join(10_000);
            assertThat(reader.isAlive()).isFalse();
        }
    }

    @Test
    void wakingAThreadThatHasExitedIsHarmless() throws Exception {
        assumeTrue(Sys.isAvailable(), "native access");
        ThreadWake.install();
        CompletableFuture<Integer> tid = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                tid.complete(Threads.currentTid());
            } catch (Throwable e) {
                tid.completeExceptionally(e);
            }
        });
        t.start();
        t.join();
        ThreadWake.wake(tid.get());
        assertThat(ThreadWake.install()).isGreaterThan(32);
    }
}
