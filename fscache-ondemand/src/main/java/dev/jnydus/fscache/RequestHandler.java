package dev.jnydus.fscache;

import dev.jnydus.common.Errno;
import dev.jnydus.common.Errors;
import dev.jnydus.common.FsException;
import dev.jnydus.fscache.cachefiles.CacheObjectFile;
import dev.jnydus.fscache.cachefiles.CachefilesChannel;
import dev.jnydus.fscache.cachefiles.CachefilesMessage;
import dev.jnydus.fscache.cachefiles.CachefilesProtocolException;
import dev.jnydus.fscache.cachefiles.Commands;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers the kernel's requests (spec 11.2 to 11.5), on whichever worker thread read them.
 *
 * <ul>
 *   <li>OPEN: the volume key {@code erofs,<domain>} and the cookie key name an entry
 *   {@code <domain>/<cookie>}; unknown: {@code copen -ENOENT}; an object id already open:
 *   {@code -EALREADY}; else {@code copen} with the object's size (the bootstrap's length, a data
 *   blob's uncompressed size), then the background work starts.</li>
 *   <li>READ: the object fills the range, then the request is completed in every case; a reader
 *   whose data could not be had gets EIO from the kernel, never a hang. A READ for an object this
 *   daemon does not know cannot be completed (that needs the object's fd) and is logged.</li>
 *   <li>CLOSE: the object is dropped; its fd closes once the requests in flight are done.</li>
 * </ul>
 */
final class RequestHandler {
    private static final Logger LOG = LoggerFactory.getLogger(RequestHandler.class);
    static final String VOLUME_PREFIX = "erofs,";

    private final CachefilesChannel channel;
    private final BlobCacheEntries entries;
    private final Executor background;
    private final ConcurrentHashMap<Integer, CacheObject> objects = new ConcurrentHashMap<>();
    private final LongAdder opens = new LongAdder();
    private final LongAdder openFailures = new LongAdder();
    private final LongAdder reads = new LongAdder();
    private final LongAdder readFailures = new LongAdder();
    private final LongAdder readBytes = new LongAdder();
    private final LongAdder closes = new LongAdder();

    RequestHandler(CachefilesChannel channel, BlobCacheEntries entries, Executor background) {
        this.channel = channel;
        this.entries = entries;
        this.background = background;
    }

    void handle(CachefilesMessage m) {
        if (m instanceof CachefilesMessage.Open o) {
            open(o);
        } else if (m instanceof CachefilesMessage.Read r) {
            read(r);
        } else {
            close((CachefilesMessage.Close) m);
        }
    }

    /** A message that did not decode: its fd is closed and an OPEN is failed, so nobody waits on it. */
    void malformed(CachefilesProtocolException e) {
        LOG.error("fscache: dropping a malformed message: {}", e.getMessage());
        if (e.fd().isPresent()) {
            channel.adoptObjectFd(e.fd().getAsInt()).close();
        }
        if (e.opcode() == CachefilesMessage.OPCODE_OPEN && e.msgId() >= 0) {
            reply(Commands.copenError(e.msgId(), Errno.EINVAL), e.msgId());
        }
    }

    private void open(CachefilesMessage.Open m) {
        opens.increment();
        CacheObjectFile file = channel.adoptObjectFd(m.fd());
        CacheObject obj;
        try {
            obj = createObject(m, file);
        } catch (FsException e) {
            openFailures.increment();
            LOG.warn("fscache: {} refused: {}", m, e.getMessage());
            file.close();
            reply(Commands.copenError(m.msgId(), e.errno()), m.msgId());
            return;
        }
        if (objects.putIfAbsent(m.objectId(), obj) != null) {
            openFailures.increment();
            LOG.warn("fscache: {} refused: object {} is already open", m, m.objectId());
            obj.close();
            reply(Commands.copenError(m.msgId(), Errno.EALREADY), m.msgId());
            return;
        }
        try {
            channel.command(Commands.copen(m.msgId(), obj.size()));
        } catch (FsException e) {
            // The opener went away (EINVAL) or the cache died: the object is not in use.
            LOG.warn("fscache: copen of {} failed: {}", m, e.getMessage());
            objects.remove(m.objectId(), obj);
            obj.close();
            return;
        }
        LOG.debug("fscache: {} -> {} ({} bytes)", m, obj, obj.size());
        obj.started();
    }

    private CacheObject createObject(CachefilesMessage.Open m, CacheObjectFile file) throws FsException {
        if (!m.volumeKey().startsWith(VOLUME_PREFIX) || m.volumeKey().length() == VOLUME_PREFIX.length()) {
            throw new FsException(Errno.EINVAL, "volume key '" + m.volumeKey() + "' is not erofs,<domain>");
        }
        String domain = m.volumeKey().substring(VOLUME_PREFIX.length());
        Optional<CacheTarget> target = entries.lookup(domain, m.cookieKey());
        if (target.isEmpty()) {
            throw new FsException(Errno.ENOENT, "no blob cache entry " + BlobCacheEntries.key(domain, m.cookieKey()));
        }
        CacheTarget t = target.get();
        if (t instanceof CacheTarget.MetaBlob meta) {
            try {
                return BootstrapObject.open(m.objectId(), meta.key(), file, meta.bootstrap(), background);
            } catch (IOException e) {
                throw new FsException(Errno.ENOENT, "bootstrap " + meta.bootstrap() + " cannot be opened: "
                        + e.getMessage(), e);
            }
        }
        return new DataBlobObject(m.objectId(), file, (CacheTarget.DataBlob) t, background);
    }

    private void read(CachefilesMessage.Read m) {
        reads.increment();
        readBytes.add(m.length());
        CacheObject obj = objects.get(m.objectId());
        if (obj == null || !obj.acquire()) {
            readFailures.increment();
            LOG.warn("fscache: {} for an object this daemon has not opened; left unanswered", m);
            return;
        }
        try {
            LOG.debug("fscache: {} of {}", m, obj.key);
            try {
                obj.fill(m.offset(), m.length());
                LOG.debug("fscache: {} of {} filled", m, obj.key);
            } catch (IOException | RuntimeException e) {
                readFailures.increment();
                FsException fe = Errors.toFsException(e);
                LOG.warn("fscache: {} of {} failed, the reader gets EIO: {}", m, obj.key, fe.getMessage());
            }
            try {
                obj.file.completeRead(m.msgId());
            } catch (FsException e) {
                // EINVAL: the reader was killed and its request withdrawn.
                LOG.debug("fscache: completing {} failed: {}", m, e.getMessage());
            }
        } finally {
            obj.release();
        }
    }

    private void close(CachefilesMessage.Close m) {
        closes.increment();
        CacheObject obj = objects.remove(m.objectId());
        if (obj == null) {
            LOG.debug("fscache: {} for an unknown object", m);
            return;
        }
        LOG.debug("fscache: {} -> closing {}", m, obj);
        obj.close();
    }

    private void reply(String command, int msgId) {
        try {
            channel.command(command);
        } catch (FsException e) {
            LOG.warn("fscache: answering message {} with '{}' failed: {}", msgId, command, e.getMessage());
        }
    }

    FsCacheStats stats() {
        return new FsCacheStats(opens.sum(), openFailures.sum(), reads.sum(), readFailures.sum(), readBytes.sum(),
                closes.sum(), objects.size());
    }

    /** Closes every object (at shutdown). */
    void closeAll() {
        List<CacheObject> all = new ArrayList<>(objects.values());
        objects.clear();
        for (CacheObject o : all) {
            o.close();
        }
    }
}
