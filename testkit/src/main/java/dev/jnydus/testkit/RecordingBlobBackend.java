package dev.jnydus.testkit;

import dev.jnydus.backend.BlobBackend;
import dev.jnydus.backend.BlobReader;
import dev.jnydus.backend.RequestSource;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Wraps a backend and records every read request: which blob, which range was asked for and how
 * many bytes came back. One {@code tryRead} call is one request, as one ranged GET would be.
 */
public final class RecordingBlobBackend implements BlobBackend {
    /**
     * One request: {@code length} bytes asked for at {@code offset} on behalf of {@code source},
     * {@code returned} delivered.
     */
    public record Request(String blobId, long offset, int length, int returned, RequestSource source) {
    }

    private final BlobBackend delegate;
    private final List<Request> requests = new CopyOnWriteArrayList<>();

    public RecordingBlobBackend(BlobBackend delegate) {
        this.delegate = delegate;
    }

    @Override
    public String type() {
        return delegate.type();
    }

    @Override
    public BlobReader open(String blobId) throws IOException {
        return new ForwardingBlobReader(delegate.open(blobId)) {
            @Override
            public int tryRead(ByteBuffer dst, long offset) throws IOException {
                return tryRead(dst, offset, RequestSource.ON_DEMAND);
            }

            @Override
            public int tryRead(ByteBuffer dst, long offset, RequestSource source) throws IOException {
                int asked = dst.remaining();
                int n = inner.tryRead(dst, offset, source);
                requests.add(new Request(blobId, offset, asked, n, source));
                return n;
            }
        };
    }

    public List<Request> requests() {
        return new ArrayList<>(requests);
    }

    public int requestCount() {
        return requests.size();
    }

    public int requestCount(String blobId) {
        return (int) requests.stream().filter(r -> r.blobId().equals(blobId)).count();
    }

    /** Bytes delivered by all requests. */
    public long bytes() {
        return requests.stream().mapToLong(r -> Math.max(0, r.returned())).sum();
    }

    public long bytes(String blobId) {
        return requests.stream().filter(r -> r.blobId().equals(blobId)).mapToLong(r -> Math.max(0, r.returned())).sum();
    }

    public void reset() {
        requests.clear();
    }

    @Override
    public java.util.Optional<java.time.Duration> readTimeoutBudget() {
        return delegate.readTimeoutBudget();
    }

    @Override
    public void close() {
        delegate.close();
    }
}
