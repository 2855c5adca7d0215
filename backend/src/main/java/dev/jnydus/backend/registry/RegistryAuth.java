package dev.jnydus.backend.registry;

import dev.jnydus.backend.RandomSource;
import dev.jnydus.common.Ticker;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The credentials of one registry backend and the {@code Authorization} value it caches (one cache
 * per backend, i.e. per image repository, as upstream).
 *
 * <p>Bearer tokens are refreshed before they expire: at
 * {@code expiry - (20 s + jitter)}, the jitter uniform in {@code [0, min(ttl / 10, 300 s)]} so that
 * many daemons started together do not refresh together. The refresh runs on the injected executor
 * while requests keep using the still-valid token; a failed refresh is tried again after 5 s,
 * doubling up to 600 s. A token past its expiry is not sent: it is refreshed on the spot, or the
 * request goes without it and the 401 challenge starts over.
 */
final class RegistryAuth {
    private static final Logger LOG = LoggerFactory.getLogger(RegistryAuth.class);
    static final Duration REFRESH_MARGIN = Duration.ofSeconds(20);
    static final Duration JITTER_MAX = Duration.ofSeconds(300);
    static final Duration BACKOFF_INITIAL = Duration.ofSeconds(5);
    static final Duration BACKOFF_MAX = Duration.ofSeconds(600);

    /** The cached {@code Authorization} value and, for refreshable tokens, how to renew it. */
    private record Cached(String header, AuthChallenge challenge, long expiresAt, long refreshAt, long backoffNanos) {
        boolean expires() {
            return challenge != null;
        }
    }

    private final TokenFetcher fetcher;
    private final Ticker ticker;
    private final RandomSource random;
    private final Executor executor;
    private final AtomicBoolean refreshing = new AtomicBoolean();
    private volatile String basic;
    private volatile Cached cached;
    private volatile boolean anonymousOk;

    /**
     * @param basic base64 {@code user:password}, or empty
     * @param registryToken a pre-obtained token sent as {@code Bearer} from the first request, or empty
     */
    RegistryAuth(TokenFetcher fetcher, String basic, String registryToken, Ticker ticker, RandomSource random,
            Executor executor) {
        this.fetcher = fetcher;
        this.basic = basic == null || basic.isEmpty() ? null : basic;
        this.ticker = ticker;
        this.random = random;
        this.executor = executor;
        if (registryToken != null && !registryToken.isEmpty()) {
            cached = new Cached("Bearer " + registryToken, null, Long.MAX_VALUE, Long.MAX_VALUE, 0);
        }
    }

    /**
     * Whether authentication is settled: a credential is cached, or the registry served a request
     * that carried none. Mirrors without {@code auth_through} get requests only from then on.
     * (Upstream asks only for a cached credential, so such mirrors never see a request for an
     * anonymous registry.)
     */
    boolean authorized() {
        return cached != null || anonymousOk;
    }

    /** A request without credentials got past authentication. */
    void anonymousAccepted() {
        anonymousOk = true;
    }

    /**
     * The value to send now, or null. May start a background refresh, or refresh synchronously
     * when the token has already expired.
     */
    String header() {
        Cached c = cached;
        if (c == null) {
            return null;
        }
        if (!c.expires()) {
            return c.header;
        }
        long now = ticker.nanos();
        if (now - c.expiresAt >= 0) {
            refresh(c);
            Cached fresh = cached;
            return fresh != null && (!fresh.expires() || ticker.nanos() - fresh.expiresAt < 0) ? fresh.header : null;
        }
        if (now - c.refreshAt >= 0 && refreshing.compareAndSet(false, true)) {
            try {
                executor.execute(() -> {
                    try {
                        refresh(c);
                    } finally {
                        refreshing.set(false);
                    }
                });
            } catch (RejectedExecutionException e) {
                refreshing.set(false);
            }
        }
        return c.header;
    }

    /** Fetches a token again with the challenge of {@code c}; on failure schedules the next try. */
    private void refresh(Cached c) {
        synchronized (this) {
            if (cached != c) {
                return;
            }
            try {
                Token t = fetcher.fetch(c.challenge, basic);
                cached = bearer(t, c.challenge);
                LOG.debug("registry token refreshed, valid for {} s", t.expiresInSeconds());
            } catch (IOException e) {
                long backoff = c.backoffNanos == 0 ? BACKOFF_INITIAL.toNanos()
                        : Math.min(c.backoffNanos * 2, BACKOFF_MAX.toNanos());
                LOG.warn("registry token refresh failed: {}; next try in {} s", e.getMessage(), backoff / 1_000_000_000L);
                cached = new Cached(c.header, c.challenge, c.expiresAt, ticker.nanos() + backoff, backoff);
            }
        }
    }

    /**
     * The value answering {@code challenge}, or null when we cannot answer it (basic without
     * credentials, an unknown scheme). Fetches a token for a bearer challenge.
     */
    Authorization answer(AuthChallenge challenge) throws IOException {
        if (challenge.isBasic()) {
            String b = basic;
            return b == null ? null : new Authorization("Basic " + b, null, null);
        }
        if (challenge.isBearer()) {
            Token t = fetcher.fetch(challenge, basic);
            return new Authorization("Bearer " + t.value(), challenge, t);
        }
        return null;
    }

    /** Caches {@code a} after a request it authorized succeeded. */
    void accept(Authorization a) {
        synchronized (this) {
            cached = a.token == null ? new Cached(a.header, null, Long.MAX_VALUE, Long.MAX_VALUE, 0)
                    : bearer(a.token, a.challenge);
        }
    }

    /** Drops the cached value if it is still {@code header} (it was refused). */
    void invalidate(String header) {
        synchronized (this) {
            Cached c = cached;
            if (c != null && c.header.equals(header)) {
                cached = null;
            }
        }
    }

    /**
     * A new {@code registry_auth} value (nydusd-interface 2.7): empty clears credentials and cache;
     * otherwise a cached bearer token is fetched again with the new credentials, and a cached basic
     * value is replaced.
     */
    void updateCredentials(String newBasic) {
        synchronized (this) {
            basic = newBasic == null || newBasic.isEmpty() ? null : newBasic;
            Cached c = cached;
            if (basic == null || c == null) {
                cached = null;
                return;
            }
            if (c.expires()) {
                try {
                    cached = bearer(fetcher.fetch(c.challenge, basic), c.challenge);
                } catch (IOException e) {
                    LOG.warn("registry token fetch with the updated credentials failed: {}", e.getMessage());
                    cached = null;
                }
            } else if (c.header.startsWith("Basic ")) {
                cached = new Cached("Basic " + basic, null, Long.MAX_VALUE, Long.MAX_VALUE, 0);
            }
        }
    }

    private Cached bearer(Token t, AuthChallenge challenge) {
        long now = ticker.nanos();
        long ttl = Duration.ofSeconds(t.expiresInSeconds()).toNanos();
        long jitterMax = Math.min(ttl / 10, JITTER_MAX.toNanos());
        long before = REFRESH_MARGIN.toNanos() + random.nextLong(jitterMax);
        long refreshAt = now + Math.max(0, ttl - before);
        return new Cached("Bearer " + t.value(), challenge, now + ttl, refreshAt, 0);
    }

    /** An answer to a challenge, not yet known to work. */
    static final class Authorization {
        final String header;
        final AuthChallenge challenge;
        final Token token;

        Authorization(String header, AuthChallenge challenge, Token token) {
            this.header = header;
            this.challenge = challenge;
            this.token = token;
        }

        @Override
        public String toString() {
            return "Authorization[<redacted>]";
        }
    }
}
