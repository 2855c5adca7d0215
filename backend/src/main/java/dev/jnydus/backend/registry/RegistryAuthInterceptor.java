package dev.jnydus.backend.registry;

import dev.jnydus.backend.http.Interceptor;
import dev.jnydus.backend.http.RangeRequest;
import dev.jnydus.backend.http.RangeResponse;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.concurrent.Semaphore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registry authentication (nydusd-interface 5.2):
 * <ol>
 *   <li>send with the cached {@code Authorization}, if any;</li>
 *   <li>on 401, when a value was sent, drop it and send once more without it, to get a fresh
 *       challenge (Harbor answers an expired token with a misleading {@code Basic} challenge);</li>
 *   <li>answer the challenge: {@code Basic} with the configured credentials, {@code Bearer} with a
 *       token from its realm;</li>
 *   <li>send again with the answer and cache it when that succeeds.</li>
 * </ol>
 * So a token that expired early (revoked, clock skew) costs one refresh and one extra round trip,
 * and the reader sees no error.
 *
 * <p>First-request gate: until one request has got past authentication, requests go one at a
 * time, so that concurrent first reads of a fresh backend fetch one token rather than one each.
 */
final class RegistryAuthInterceptor implements Interceptor {
    private static final Logger LOG = LoggerFactory.getLogger(RegistryAuthInterceptor.class);

    private final RegistryAuth auth;
    private final Semaphore gate = new Semaphore(1);
    private volatile boolean open;

    RegistryAuthInterceptor(RegistryAuth auth) {
        this.auth = auth;
    }

    @Override
    public RangeResponse intercept(Chain chain) throws IOException {
        if (open) {
            return authorize(chain);
        }
        try {
            gate.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted waiting for the first registry request");
        }
        try {
            RangeResponse r = authorize(chain);
            if (r.code() != 401) {
                open = true;
            }
            return r;
        } finally {
            gate.release();
        }
    }

    private RangeResponse authorize(Chain chain) throws IOException {
        RangeRequest req = chain.request().withoutHeader("Authorization");
        String cached = auth.header();
        RangeResponse resp = chain.proceed(cached == null ? req : req.withHeader("Authorization", cached));
        if (resp.code() != 401) {
            if (cached == null && (resp.isSuccessful() || resp.code() == 416)) {
                auth.anonymousAccepted();
            }
            return resp;
        }
        if (cached != null) {
            auth.invalidate(cached);
            LOG.info("registry refused the cached credentials for {}; asking for a new challenge", req.describe());
            resp = chain.proceed(req);
            if (resp.code() != 401) {
                return resp;
            }
        }
        AuthChallenge challenge = AuthChallenge.parse(resp.header("WWW-Authenticate"));
        if (challenge == null) {
            return resp;
        }
        RegistryAuth.Authorization answer = auth.answer(challenge);
        if (answer == null) {
            return resp;
        }
        RangeResponse again = chain.proceed(req.withHeader("Authorization", answer.header));
        if (again.isSuccessful() || again.isRedirect()) {
            auth.accept(answer);
        }
        return again;
    }
}
