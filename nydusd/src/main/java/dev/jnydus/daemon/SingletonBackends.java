package dev.jnydus.daemon;

import dev.jnydus.backend.BackendEnvironment;
import dev.jnydus.backend.BlobBackend;
import dev.jnydus.config.BlobCacheConfig;
import dev.jnydus.daemon.cli.StartupException;
import dev.jnydus.fscache.BackendProvider;
import java.io.IOException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The backends of the singleton's blob cache entries, made as FUSE mounts make theirs
 * ({@link Backends}), sharing one timer thread for health checks and token refreshes.
 */
final class SingletonBackends implements BackendProvider, AutoCloseable {
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "backend-timer");
        t.setDaemon(true);
        return t;
    });

    @Override
    public BlobBackend create(BlobCacheConfig config) throws IOException {
        try {
            return Backends.create(config.backend(), BackendEnvironment.system(timer));
        } catch (StartupException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
