package dev.jnydus.daemon.cli;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * SIGTERM and SIGINT, caught from the first moment {@code main} runs to the process's exit. The
 * handler only records the request (and logs it); whoever runs the daemon acts on it at a point
 * where it knows what exists, so a signal between two start-up steps (say, just after the mount
 * appeared) is handled by the next step's check instead of killing the JVM with the mount left
 * behind. Further signals are only logged.
 */
public final class StopSignals {

    private final CompletableFuture<String> requested = new CompletableFuture<>();
    private final AtomicBoolean installed = new AtomicBoolean();

    /** A request nobody makes but {@link #request}: for tests and embedding. */
    public static StopSignals none() {
        return new StopSignals();
    }

    /** Catches SIGTERM and SIGINT from now on (replacing the JVM's exit-on-signal handlers). */
    public static StopSignals install() {
        StopSignals s = new StopSignals();
        s.installHandlers();
        return s;
    }

    private void installHandlers() {
        if (installed.compareAndSet(false, true)) {
            Handler handler = new Handler(this);
            Signal.handle(new Signal("TERM"), handler);
            Signal.handle(new Signal("INT"), handler);
        }
    }

    /**
     * A class rather than a lambda: the first lambda of a run sets up the JDK's method-handle
     * machinery (tens of milliseconds), and this runs first thing in {@code main}.
     */
    private static final class Handler implements SignalHandler {
        private final StopSignals owner;

        Handler(StopSignals owner) {
            this.owner = owner;
        }

        @Override
        public void handle(Signal sig) {
            owner.request("SIG" + sig.getName());
        }
    }

    /** Records a stop request from {@code source} ("SIGTERM", "exit", ...); later ones are ignored. */
    public void request(String source) {
        // The logger is looked up here, not when main installs the handlers: logging starts later.
        Logger log = LoggerFactory.getLogger(StopSignals.class);
        if (requested.complete(source)) {
            log.info("received {}, shutting down", source);
        } else {
            log.info("received {} while already shutting down", source);
        }
    }

    public boolean isRequested() {
        return requested.isDone();
    }

    /** What asked first, if anything did. */
    public Optional<String> source() {
        return Optional.ofNullable(requested.getNow(null));
    }

    /** Completes with the source of the first request. */
    public CompletableFuture<String> requested() {
        return requested;
    }
}
