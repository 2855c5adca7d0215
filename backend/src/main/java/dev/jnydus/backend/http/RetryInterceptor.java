package dev.jnydus.backend.http;

import dev.jnydus.backend.BackendException;
import dev.jnydus.backend.RandomSource;
import dev.jnydus.backend.RequestSource;
import dev.jnydus.backend.Sleeper;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Retries transport failures and retryable statuses per {@link RetryPolicy}. When the budget is
 * spent it throws a {@link BackendException} whose cause is the last failure and whose suppressed
 * exceptions are the earlier ones, so nothing that went wrong is lost.
 *
 * <p>Not retried: statuses a retry cannot fix (4xx other than 408/429), a Dragonfly proxy
 * refusal marked {@code X-Dragonfly-Error-Type: proxy} with 403, a proxy 429 on a prefetch read
 * (as upstream), a TLS certificate that is not trusted, and an interrupted thread.
 */
final class RetryInterceptor implements Interceptor {
    private static final Logger LOG = LoggerFactory.getLogger(RetryInterceptor.class);

    private final RetryPolicy policy;
    private final Sleeper sleeper;
    private final RandomSource random;

    RetryInterceptor(RetryPolicy policy, Sleeper sleeper, RandomSource random) {
        this.policy = policy;
        this.sleeper = sleeper;
        this.random = random;
    }

    @Override
    public RangeResponse intercept(Chain chain) throws IOException {
        RangeRequest req = chain.request();
        int retries = policy.retries(req.source());
        List<IOException> failures = new ArrayList<>();
        for (int attempt = 0;; attempt++) {
            RangeRequest r = req;
            if (attempt > 0 && attempt == retries && policy.directOnLastRetry()
                    && req.source() == RequestSource.ON_DEMAND && req.route() == RangeRequest.Route.DEFAULT) {
                r = req.withRoute(RangeRequest.Route.DIRECT);
            }
            IOException failure;
            try {
                RangeResponse resp = chain.proceed(r);
                if (!RetryPolicy.retryableStatus(resp.code()) || noRetry(req, resp)) {
                    if (!failures.isEmpty() && resp.isSuccessful()) {
                        LOG.info("{} succeeded on attempt {}", req.describe(), attempt + 1);
                    }
                    return resp;
                }
                failure = new IOException(r.describe() + ": HTTP " + resp.code() + describeBody(resp));
            } catch (IOException e) {
                if (Thread.currentThread().isInterrupted()) {
                    throw interrupted(req, e, failures);
                }
                if (untrusted(e)) {
                    throw exhausted(req, attempt + 1, e, failures);
                }
                failure = e;
            }
            if (attempt >= retries) {
                throw exhausted(req, attempt + 1, failure, failures);
            }
            failures.add(failure);
            Duration wait = policy.backoff(attempt + 1, req.source(), random);
            LOG.warn("{} failed (attempt {} of {}): {}; retrying in {} ms", req.describe(), attempt + 1, retries + 1,
                    failure.getMessage(), wait.toMillis());
            try {
                sleeper.sleep(wait);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw interrupted(req, failure, failures);
            }
        }
    }

    /** A certificate that is not trusted now will not be trusted in a second either. */
    private static boolean untrusted(Throwable e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof java.security.cert.CertificateException
                    || c instanceof javax.net.ssl.SSLPeerUnverifiedException) {
                return true;
            }
        }
        return false;
    }

    private static boolean noRetry(RangeRequest req, RangeResponse resp) {
        return resp.isProxyError() && resp.code() == 429 && req.source() == RequestSource.PREFETCH;
    }

    private static String describeBody(RangeResponse resp) {
        String t = resp.errorText();
        return t.isEmpty() ? "" : " (" + t + ")";
    }

    private static BackendException exhausted(RangeRequest req, int attempts, IOException last,
            List<IOException> earlier) {
        String what = attempts == 1 ? "" : " after " + attempts + " attempts";
        BackendException e = new BackendException("blob " + req.blobId() + ": " + req.describe() + " failed" + what
                + ": " + last.getMessage(), last);
        earlier.forEach(e::addSuppressed);
        return e;
    }

    private static IOException interrupted(RangeRequest req, IOException last, List<IOException> earlier) {
        InterruptedIOException e = new InterruptedIOException("blob " + req.blobId() + ": " + req.describe()
                + " interrupted");
        e.initCause(last);
        earlier.forEach(e::addSuppressed);
        return e;
    }
}
