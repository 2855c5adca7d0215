package dev.jnydus.fscache;

import dev.jnydus.fscache.cachefiles.CacheObjectFile;
import java.io.IOException;

/**
 * One cache object the kernel opened: its anonymous fd and what fills it. Requests in flight hold
 * it ({@link #acquire}/{@link #release}); a CLOSE only marks it, and the fd is closed when the last
 * of them is done, so that no write or completion ever reaches a descriptor number the kernel has
 * handed out again.
 */
abstract class CacheObject {
    final int objectId;
    final String key;
    final CacheObjectFile file;
    private int users;
    private boolean closing;

    CacheObject(int objectId, String key, CacheObjectFile file) {
        this.objectId = objectId;
        this.key = key;
        this.file = file;
    }

    /** The object's size as {@code copen} announces it. */
    abstract long size();

    /** Makes {@code [offset, offset + length)} of the object present in the cache file. */
    abstract void fill(long offset, long length) throws IOException;

    /** Background work after {@code copen} succeeded (copy, blob cache creation, prefetch). */
    abstract void started();

    /** Releases what the object holds besides its fd. */
    abstract void onClose();

    synchronized boolean acquire() {
        if (closing) {
            return false;
        }
        users++;
        return true;
    }

    void release() {
        boolean now;
        synchronized (this) {
            users--;
            now = closing && users == 0;
        }
        if (now) {
            closeNow();
        }
    }

    /** Closes now, or when the requests in flight are done. Idempotent. */
    void close() {
        boolean now;
        synchronized (this) {
            if (closing) {
                return;
            }
            closing = true;
            now = users == 0;
        }
        if (now) {
            closeNow();
        }
    }

    synchronized boolean isClosing() {
        return closing;
    }

    private void closeNow() {
        try {
            onClose();
        } finally {
            file.close();
        }
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "(" + key + ", object " + objectId + ", fd " + file.number() + ")";
    }
}
