package dev.jnydus.daemon;

import dev.jnydus.daemon.cli.StartupException;
import java.nio.file.Path;

/**
 * The start-up bootstrap opened, and its whole-image check started, as soon as the command line is
 * read: the check (a walk of every entry, hundreds of milliseconds on a large image with a cold page
 * cache) then runs while the main thread waits for JNA and makes the daemon's service objects,
 * instead of after them, and the mount waits less for it. What opening the bootstrap throws is kept
 * and thrown where the start opens it ({@link #take}), so errors are reported in the same order as
 * without the head start. A start that ends up not mounting it (a takeover) {@link #close}s it.
 */
final class BootstrapPreload implements AutoCloseable {
    private final Path bootstrap;
    private RafsInstance.OpenedBootstrap opened;
    private StartupException failure;

    private BootstrapPreload(Path bootstrap) {
        this.bootstrap = bootstrap;
    }

    /** Opens {@code bootstrap} and starts its check now. */
    static BootstrapPreload start(Path bootstrap) {
        BootstrapPreload p = new BootstrapPreload(bootstrap);
        try {
            p.opened = RafsInstance.openChecked(bootstrap);
        } catch (StartupException e) {
            p.failure = e;
        }
        return p;
    }

    /**
     * The bootstrap and its running check, handed over once; null when this preload is of another
     * path or was already taken. Throws what opening it threw.
     */
    synchronized RafsInstance.OpenedBootstrap take(Path path) throws StartupException {
        if (!bootstrap.equals(path)) {
            return null;
        }
        if (failure != null) {
            StartupException e = failure;
            failure = null;
            throw e;
        }
        RafsInstance.OpenedBootstrap o = opened;
        opened = null;
        return o;
    }

    /** Discards the bootstrap unless it was taken. */
    @Override
    public synchronized void close() {
        if (opened != null) {
            opened.discard();
            opened = null;
        }
    }
}
