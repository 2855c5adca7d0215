package dev.jnydus.testkit;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs a parser on hostile input under a time bound: it must either succeed or throw the one
 * exception type its contract allows, with a message. Anything else (another exception, an error,
 * a hang past the bound) fails the test with the input's description.
 */
public final class ParseOrReject implements AutoCloseable {
    /** The work done on one input. */
    @FunctionalInterface
    public interface Action {
        void run() throws Exception;
    }

    private final Class<? extends Exception> allowed;
    private final Duration bound;
    private final ExecutorService runner = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "parse-or-reject");
        t.setDaemon(true);
        return t;
    });

    public ParseOrReject(Class<? extends Exception> allowed, Duration bound) {
        this.allowed = allowed;
        this.bound = bound;
    }

    /** Returns "accepted" or "rejected", for jqwik statistics. */
    public String check(Action action, Object describedInput) {
        Future<String> f = runner.submit(() -> {
            try {
                action.run();
                return "accepted";
            } catch (Exception e) {
                if (allowed.isInstance(e) && e.getMessage() != null && !e.getMessage().isBlank()) {
                    return "rejected";
                }
                throw e;
            }
        });
        try {
            return f.get(bound.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            f.cancel(true);
            throw new AssertionError("no answer within " + bound + " for " + describedInput, e);
        } catch (ExecutionException e) {
            throw new AssertionError("raised " + e.getCause() + " for " + describedInput, e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    @Override
    public void close() {
        runner.shutdownNow();
    }
}
