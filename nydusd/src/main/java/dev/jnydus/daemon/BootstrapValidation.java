package dev.jnydus.daemon;

import dev.jnydus.daemon.cli.StartupException;
import dev.jnydus.rafs.metadata.ImageValidator;
import dev.jnydus.rafs.metadata.RafsSuper;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole-image check {@code nydus-image check} makes (every inode, directory, xattr list,
 * symlink and extent list: {@link ImageValidator}), made before the image is mounted, so that a
 * bootstrap the checker rejects fails the start with one line instead of being mounted and then
 * answering EIO.
 *
 * <p>It runs on a thread of its own while the rest of the storage stack is built, and the mount
 * waits for it ({@link #await}). Its cost grows with the image: on a 100,000-entry image the walk
 * takes about as long as the rest of the start (see docs/benchmarks.md).
 */
final class BootstrapValidation {
    private static final Logger LOG = LoggerFactory.getLogger(BootstrapValidation.class);

    private final Path bootstrap;
    private final Thread thread;
    private final CompletableFuture<ImageValidator.Summary> summary = new CompletableFuture<>();

    private BootstrapValidation(RafsSuper sb, Path bootstrap) {
        this.bootstrap = bootstrap;
        this.thread = new Thread(() -> run(sb), "bootstrap-check");
        this.thread.setDaemon(true);
    }

    /** Starts validating {@code sb}, opened from {@code bootstrap}. */
    static BootstrapValidation start(RafsSuper sb, Path bootstrap) {
        BootstrapValidation v = new BootstrapValidation(sb, bootstrap);
        v.thread.start();
        return v;
    }

    private void run(RafsSuper sb) {
        long t0 = System.nanoTime();
        try {
            ImageValidator.Summary s = ImageValidator.check(sb);
            LOG.info("bootstrap {}: validated {} entries ({} with xattrs) in {} ms", bootstrap, s.entries(),
                    s.entriesWithXattrs(), (System.nanoTime() - t0) / 1_000_000);
            summary.complete(s);
        } catch (Throwable t) {
            summary.completeExceptionally(t);
        }
    }

    /** Waits for the check; a bootstrap that fails it is reported as upstream reports a bad one. */
    ImageValidator.Summary await() throws StartupException, InterruptedException {
        try {
            return summary.get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof Exception) {
                throw new StartupException("failed to load bootstrap " + bootstrap + ": " + cause.getMessage(), cause);
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(cause);
        }
    }

    /** Stops the check (the start failed elsewhere) and waits for its thread. */
    void cancel() {
        thread.interrupt();
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
