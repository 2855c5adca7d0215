package dev.jnydus.backend;

import java.io.IOException;

/** A place blobs are stored, addressed by blob id. Thread-safe. */
public interface BlobBackend extends AutoCloseable {

    /** A short name for logs and metrics: "localfs", "registry", ... */
    String type();

    /** Opens a reader for one blob. Missing blobs may be reported here or at the first read. */
    BlobReader open(String blobId) throws IOException;

    @Override
    default void close() {
    }
}
