package dev.jnydus.testkit.registry;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * Request counts read from a server's access log ({@link RegistryServer#blobReads},
 * {@link NginxMirror#blobReads}). A server writes its line after the response has gone out, so a
 * count taken right after a client saw its bytes may miss the last request: {@link #settled}
 * waits until the count has stopped changing.
 */
public final class AccessCounts {
    /** A count that may need to read a file. */
    @FunctionalInterface
    public interface Count {
        long get() throws IOException;
    }

    private AccessCounts() {
    }

    /** The count once it has not changed for 300 ms. */
    public static long settled(Count count) throws IOException, InterruptedException {
        long last = count.get();
        long stableSince = System.nanoTime();
        while (System.nanoTime() - stableSince < TimeUnit.MILLISECONDS.toNanos(300)) {
            Thread.sleep(50);
            long now = count.get();
            if (now != last) {
                last = now;
                stableSince = System.nanoTime();
            }
        }
        return last;
    }
}
