package dev.jnydus.testkit;

import dev.jnydus.backend.BlobReader;
import java.io.IOException;

/**
 * A reader that hands everything to the reader it wraps, so that a backend wrapper (recording,
 * fault injecting, holding) states only the {@link #tryRead} it changes.
 */
public abstract class ForwardingBlobReader implements BlobReader {
    protected final BlobReader inner;

    protected ForwardingBlobReader(BlobReader inner) {
        this.inner = inner;
    }

    @Override
    public String blobId() {
        return inner.blobId();
    }

    @Override
    public long size() throws IOException {
        return inner.size();
    }

    @Override
    public void close() {
        inner.close();
    }
}
