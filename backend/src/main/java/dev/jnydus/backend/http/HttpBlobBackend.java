package dev.jnydus.backend.http;

import dev.jnydus.backend.BackendException;
import dev.jnydus.backend.BackendMetrics;
import dev.jnydus.backend.BlobBackend;
import dev.jnydus.backend.BlobReader;
import dev.jnydus.common.Errno;
import java.time.Duration;
import java.util.Optional;
import okhttp3.HttpUrl;

/**
 * The {@link BlobBackend} half every HTTP backend shares: readers over its {@link HttpBackendCore},
 * the core's type and metrics, and closing the core. A backend's factory builds the core with its
 * auth or signing interceptor; the subclass adds only its URL builder (and, if it needs one, a
 * stricter blob-id rule). The class is public only because the backends live in their own
 * packages; nothing outside {@code backend} extends it.
 */
public abstract class HttpBlobBackend implements BlobBackend {
    private final HttpBackendCore core;

    protected HttpBlobBackend(HttpBackendCore core) {
        this.core = core;
    }

    /** Where {@code blobId}'s bytes are fetched from (before any redirect). */
    protected abstract HttpUrl url(String blobId);

    /** Whether {@code blobId} may be put in a URL: by default non-empty and a single path segment. */
    protected boolean validBlobId(String blobId) {
        return blobId != null && !blobId.isEmpty() && !blobId.contains("/");
    }

    @Override
    public final String type() {
        return core.type();
    }

    @Override
    public final BlobReader open(String blobId) throws BackendException {
        if (!validBlobId(blobId)) {
            throw new BackendException(Errno.EINVAL, "invalid " + core.type() + " blob id '" + blobId + "'", null);
        }
        return core.reader(blobId, this::url);
    }

    @Override
    public final Optional<BackendMetrics> metrics() {
        return Optional.of(core.metrics());
    }

    @Override
    public final boolean reportsProgress() {
        return true;
    }

    @Override
    public final Optional<Duration> readTimeoutBudget() {
        return core.readTimeoutBudget();
    }

    /** The shared HTTP machinery: proxy and mirror health, for the API and for tests. */
    public final HttpBackendCore http() {
        return core;
    }

    @Override
    public void close() {
        core.close();
    }
}
