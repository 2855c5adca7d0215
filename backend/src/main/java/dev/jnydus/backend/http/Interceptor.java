package dev.jnydus.backend.http;

import java.io.IOException;

/**
 * One piece of cross-cutting HTTP behaviour (metrics, retries, fallback, auth, redirects), in the
 * shape of OkHttp's interceptor: it sees the request, may change it, calls
 * {@link Chain#proceed} zero or more times, and returns a response or throws.
 *
 * <p>Obligations: return a non-null response or throw; never let a credential reach a message;
 * throw {@link IOException} for transport failures (the retry interceptor retries them) and return
 * HTTP errors as responses (each interceptor decides what a status means to it).
 */
@FunctionalInterface
public interface Interceptor {

    RangeResponse intercept(Chain chain) throws IOException;

    /** The rest of the chain, seen from one interceptor. */
    interface Chain {
        RangeRequest request();

        /** Sends {@code request} through the remaining interceptors and the transport. */
        RangeResponse proceed(RangeRequest request) throws IOException;
    }
}
