package dev.jnydus.fscache.cachefiles;

/**
 * One request read from {@code /dev/cachefiles} (struct {@code cachefiles_msg} and its payloads,
 * {@code include/uapi/linux/cachefiles.h}). Every message names the request ({@link #msgId()}) and
 * the cache object it is about ({@link #objectId()}); object ids are reused by the kernel once an
 * object is closed, and do not survive a daemon restart.
 */
public sealed interface CachefilesMessage permits CachefilesMessage.Open, CachefilesMessage.Close,
        CachefilesMessage.Read {
    int OPCODE_OPEN = 0;
    int OPCODE_CLOSE = 1;
    int OPCODE_READ = 2;

    int msgId();

    int objectId();

    /**
     * The kernel opened a cookie and installed a write-only anonymous fd for it in this process.
     * Must be answered with {@code copen} ({@link Commands#copen}); the fd is ours to close.
     *
     * @param volumeKey the volume key without its NUL: {@code erofs,<domain_id or fsid>}
     * @param cookieKey the cookie key, one char per byte (ISO-8859-1, so any bytes survive; EROFS
     *     keys are printable ASCII: the fsid, or a device tag, which RAFS makes the blob id)
     * @param fd the anonymous fd number in this process
     * @param flags always 0 today
     */
    record Open(int msgId, int objectId, String volumeKey, String cookieKey, int fd, int flags)
            implements CachefilesMessage {
        @Override
        public String toString() {
            return "OPEN msg " + msgId + " object " + objectId + " volume '" + volumeKey + "' cookie '" + cookieKey
                    + "' fd " + fd;
        }
    }

    /** The cookie was withdrawn (umount): drop the object and close its fds. Never answered. */
    record Close(int msgId, int objectId) implements CachefilesMessage {
        @Override
        public String toString() {
            return "CLOSE msg " + msgId + " object " + objectId;
        }
    }

    /**
     * A reader found a hole at {@code [offset, offset + length)} of the object's cache file and
     * sleeps until the request is completed with {@code CACHEFILES_IOC_READ_COMPLETE}.
     */
    record Read(int msgId, int objectId, long offset, long length) implements CachefilesMessage {
        @Override
        public String toString() {
            return "READ msg " + msgId + " object " + objectId + " range " + offset + "+" + length;
        }
    }
}
