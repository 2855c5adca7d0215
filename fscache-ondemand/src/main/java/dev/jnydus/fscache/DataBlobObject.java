package dev.jnydus.fscache;

import dev.jnydus.cache.device.ExternalBlobCache;
import dev.jnydus.cache.device.ExternalCacheFile;
import dev.jnydus.common.Errno;
import dev.jnydus.common.Errors;
import dev.jnydus.common.FsException;
import dev.jnydus.fscache.cachefiles.CacheObjectFile;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A data blob as a cache object: the uncompressed blob, each chunk at its uncompressed offset,
 * filled through the cache module. The blob cache is created in the background after
 * {@code copen} (it may have to fetch the blob's chunk-info array; upstream retries 5 times, 300 ms
 * apart), then the whole blob is prefetched when the entry enables prefetch. READs wait for the
 * creation; if it failed, a READ tries once more itself, so a backend that was down at OPEN does
 * not fail the object for good.
 */
final class DataBlobObject extends CacheObject {
    private static final Logger LOG = LoggerFactory.getLogger(DataBlobObject.class);
    private static final int CREATE_TRIES = 5;
    private static final long CREATE_RETRY_MILLIS = 300;

    private final CacheTarget.DataBlob target;
    private final Executor background;
    private final Object createLock = new Object();
    private volatile CompletableFuture<ExternalBlobCache> cache = new CompletableFuture<>();

    DataBlobObject(int objectId, CacheObjectFile file, CacheTarget.DataBlob target, Executor background) {
        super(objectId, target.key(), file);
        this.target = target;
        this.background = background;
    }

    @Override
    long size() {
        return target.blob().uncompressedSize();
    }

    @Override
    void started() {
        if (!acquire()) {
            return;
        }
        CompletableFuture<ExternalBlobCache> f = cache;
        background.execute(() -> {
            try {
                ExternalBlobCache c = createWithRetries();
                f.complete(c);
                if (target.storage().prefetchEnabled()) {
                    int n = c.prefetchAll();
                    LOG.debug("fscache: blob {}: {} prefetch requests queued", key, n);
                }
            } catch (IOException | RuntimeException e) {
                LOG.warn("fscache: blob {} (object {}): the blob cache cannot be created: {}", key, objectId,
                        e.getMessage());
                f.completeExceptionally(e);
            } finally {
                release();
            }
        });
    }

    private ExternalBlobCache createWithRetries() throws IOException {
        IOException last = null;
        for (int attempt = 1; attempt <= CREATE_TRIES; attempt++) {
            if (isClosing()) {
                throw new FsException(Errno.EBADF, "object " + objectId + " closed");
            }
            try {
                return create();
            } catch (IOException e) {
                last = e;
                LOG.debug("fscache: blob {}: creating the blob cache failed (attempt {}): {}", key, attempt,
                        e.getMessage());
                if (attempt < CREATE_TRIES) {
                    try {
                        Thread.sleep(CREATE_RETRY_MILLIS);
                    } catch (InterruptedException ie) {
                        Thread.currentThread().interrupt();
                        throw new InterruptedIOException("interrupted creating the blob cache of " + key);
                    }
                }
            }
        }
        throw last;
    }

    private ExternalBlobCache create() throws IOException {
        return target.storage().cache().openExternal(target.blob(), new ObjectFile());
    }

    @Override
    void fill(long offset, long length) throws IOException {
        blobCache().fill(offset, length);
    }

    /** The blob cache, waiting for its creation; after a failed creation, one more try here. */
    ExternalBlobCache blobCache() throws IOException {
        CompletableFuture<ExternalBlobCache> f = cache;
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted waiting for the blob cache of " + key);
        } catch (ExecutionException e) {
            synchronized (createLock) {
                if (cache != f) {
                    return blobCache();
                }
                if (isClosing()) {
                    throw new FsException(Errno.EBADF, "object " + objectId + " closed");
                }
                try {
                    ExternalBlobCache c = create();
                    cache = CompletableFuture.completedFuture(c);
                    LOG.info("fscache: blob {}: blob cache created on retry", key);
                    return c;
                } catch (IOException | RuntimeException e2) {
                    throw Errors.toFsException(e2);
                }
            }
        }
    }

    @Override
    void onClose() {
        // Creation has ended: whoever closes got here after every user (the creator included) let go.
        CompletableFuture<ExternalBlobCache> f = cache;
        if (f.isDone() && !f.isCompletedExceptionally()) {
            f.join().close();
        }
        target.storage().release();
    }

    /** The anonymous fd as the cache's external file. */
    private final class ObjectFile implements ExternalCacheFile {
        @Override
        public void write(long offset, ByteBuffer data) throws IOException {
            file.write(offset, data);
        }

        @Override
        public long nextData(long offset) throws IOException {
            return file.nextData(offset);
        }

        @Override
        public long nextHole(long offset) throws IOException {
            return file.nextHole(offset);
        }

        @Override
        public String name() {
            return "fscache:" + key + "#" + objectId;
        }
    }
}
