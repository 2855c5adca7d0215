package dev.jnydus.backend.http;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;
import java.util.function.Supplier;
import okhttp3.OkHttpClient;

/**
 * An OkHttp client that is built on a thread of its own and waited for on first use. The first
 * client of a JVM sets up OkHttp's platform and the JDK's TLS trust (its CA certificates read and
 * parsed): 0.1-0.5 s of a daemon's start, which its mount does not need, as the mount makes no
 * request. A client whose set-up may fail on the configuration (its own CA files) is built at once
 * instead ({@link #ready}), so that such a configuration still fails the start.
 */
public final class ClientSetup implements Supplier<OkHttpClient> {
    private final CompletableFuture<OkHttpClient> client;

    private ClientSetup(CompletableFuture<OkHttpClient> client) {
        this.client = client;
    }

    /** A client already built. */
    public static ClientSetup ready(OkHttpClient client) {
        return new ClientSetup(CompletableFuture.completedFuture(client));
    }

    /** Starts building a client on a daemon thread named {@code http-client-setup}. */
    public static ClientSetup start(Supplier<OkHttpClient> build) {
        return new ClientSetup(CompletableFuture.supplyAsync(build, r -> {
            Thread t = new Thread(r, "http-client-setup");
            t.setDaemon(true);
            t.start();
        }));
    }

    /** A client made from this one once it is built (sharing its pool and dispatcher). */
    public ClientSetup then(Function<OkHttpClient, OkHttpClient> derive) {
        return new ClientSetup(client.thenApply(derive));
    }

    /** The client, waiting for its set-up if it is still running. */
    @Override
    public OkHttpClient get() {
        try {
            return client.join();
        } catch (CompletionException e) {
            throw new IllegalStateException("the HTTP client could not be set up: " + e.getCause(), e.getCause());
        }
    }
}
