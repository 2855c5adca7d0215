package dev.jnydus.testkit;

import dev.jnydus.backend.BackendException;
import dev.jnydus.backend.BlobBackend;
import dev.jnydus.backend.BlobReader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.NoSuchFileException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Blobs held in memory by id. Reads return everything asked for in one call. */
public final class InMemoryBlobBackend implements BlobBackend {
    private final Map<String, byte[]> blobs = new ConcurrentHashMap<>();

    public InMemoryBlobBackend put(String blobId, byte[] content) {
        blobs.put(blobId, content.clone());
        return this;
    }

    public InMemoryBlobBackend put(FakeBlob blob) {
        return put(blob.blobId(), blob.content());
    }

    public boolean remove(String blobId) {
        return blobs.remove(blobId) != null;
    }

    @Override
    public String type() {
        return "memory";
    }

    @Override
    public BlobReader open(String blobId) throws IOException {
        byte[] content = blobs.get(blobId);
        if (content == null) {
            throw new BackendException("blob " + blobId + " not found", new NoSuchFileException(blobId));
        }
        return new Reader(blobId, content);
    }

    private static final class Reader implements BlobReader {
        private final String blobId;
        private final byte[] content;

        Reader(String blobId, byte[] content) {
            this.blobId = blobId;
            this.content = content;
        }

        @Override
        public String blobId() {
            return blobId;
        }

        @Override
        public long size() {
            return content.length;
        }

        @Override
        public int tryRead(ByteBuffer dst, long offset) throws IOException {
            if (offset < 0) {
                throw new BackendException("negative offset " + offset + " in blob " + blobId);
            }
            if (offset >= content.length) {
                return -1;
            }
            int n = (int) Math.min(dst.remaining(), content.length - offset);
            dst.put(content, (int) offset, n);
            return n;
        }
    }
}
