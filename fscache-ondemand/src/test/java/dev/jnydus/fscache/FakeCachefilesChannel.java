package dev.jnydus.fscache;

import dev.jnydus.common.Errno;
import dev.jnydus.common.FsException;
import dev.jnydus.fscache.cachefiles.CacheObjectFile;
import dev.jnydus.fscache.cachefiles.CachefilesChannel;
import dev.jnydus.fscache.cachefiles.CachefilesMessage;
import dev.jnydus.fscache.cachefiles.MessageCodec;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The kernel's side of {@code /dev/cachefiles} played by a test: it queues encoded messages, hands
 * out {@link RecordingObjectFile}s for the fds its OPENs carry, and records the commands written,
 * answering {@code copen} of a request it never sent with EINVAL as the kernel does.
 */
final class FakeCachefilesChannel implements CachefilesChannel {
    private final Deque<ByteBuffer> pending = new ArrayDeque<>();
    private final List<String> commands = new ArrayList<>();
    private final Map<Integer, RecordingObjectFile> files = new HashMap<>();
    private final Map<Integer, Boolean> openRequests = new HashMap<>();
    private int nextFd = 100;
    private int nextMsgId;
    private boolean woken;
    private boolean closed;

    /** Queues an OPEN; returns its file (the anonymous fd). */
    synchronized RecordingObjectFile open(int objectId, String volumeKey, String cookie) {
        return open(objectId, volumeKey, cookie, newFile());
    }

    /** A file for a later OPEN, to fill first: the kernel's cache file from an earlier mount. */
    synchronized RecordingObjectFile newFile() {
        return registerFd(nextFd++);
    }

    /** Queues an OPEN that hands over {@code f}. */
    synchronized RecordingObjectFile open(int objectId, String volumeKey, String cookie, RecordingObjectFile f) {
        int fd = f.number();
        int msgId = nextMsgId++;
        openRequests.put(msgId, true);
        enqueue(new CachefilesMessage.Open(msgId, objectId, volumeKey, cookie, fd, 0));
        lastOpen = msgId;
        return f;
    }

    private int lastOpen;

    synchronized int lastOpenMsgId() {
        return lastOpen;
    }

    /** Queues a READ; returns its msg_id. */
    synchronized int read(int objectId, long offset, long length) {
        int msgId = nextMsgId++;
        enqueue(new CachefilesMessage.Read(msgId, objectId, offset, length));
        return msgId;
    }

    synchronized void close(int objectId) {
        enqueue(new CachefilesMessage.Close(nextMsgId++, objectId));
    }

    /** Queues raw bytes as one message (malformed ones included). */
    synchronized void enqueueRaw(ByteBuffer message) {
        pending.add(message);
        notifyAll();
    }

    /** An fd a raw message carries, so that its close can be seen. */
    synchronized RecordingObjectFile registerFd(int fd) {
        RecordingObjectFile f = new RecordingObjectFile(fd);
        files.put(fd, f);
        return f;
    }

    private void enqueue(CachefilesMessage m) {
        pending.add(MessageCodec.encode(m));
        notifyAll();
    }

    synchronized List<String> commands() {
        return List.copyOf(commands);
    }

    /** Waits until a command starting with {@code prefix} was written; returns it. */
    synchronized String awaitCommand(String prefix, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            for (String c : commands) {
                if (c.startsWith(prefix)) {
                    return c;
                }
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("no command '" + prefix + "...' within " + timeout + "; got " + commands);
            }
            wait(Math.max(1, left / 1_000_000));
        }
    }

    @Override
    public synchronized int read(ByteBuffer dst) throws FsException {
        if (closed) {
            throw new FsException(Errno.EBADF, "closed");
        }
        ByteBuffer m = pending.poll();
        if (m == null) {
            return 0;
        }
        int n = m.remaining();
        dst.put(m);
        return n;
    }

    @Override
    public synchronized void command(String command) throws FsException {
        commands.add(command);
        notifyAll();
        if (command.startsWith("copen ")) {
            int msgId = Integer.parseInt(command.substring(6, command.indexOf(',')));
            if (openRequests.remove(msgId) == null) {
                throw new FsException(Errno.EINVAL, "copen of a request that is not outstanding");
            }
        }
    }

    @Override
    public synchronized boolean await(int timeoutMillis) throws FsException {
        long deadline = System.nanoTime() + Duration.ofMillis(timeoutMillis < 0 ? Long.MAX_VALUE / 2_000_000 : timeoutMillis).toNanos();
        while (pending.isEmpty() && !woken && !closed) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            try {
                wait(Math.max(1, left / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return !pending.isEmpty();
    }

    @Override
    public synchronized void wakeup() {
        woken = true;
        notifyAll();
    }

    @Override
    public synchronized CacheObjectFile adoptObjectFd(int fd) {
        RecordingObjectFile f = files.get(fd);
        if (f == null) {
            throw new AssertionError("the daemon adopted fd " + fd + ", which no message carried");
        }
        return f;
    }

    @Override
    public synchronized void close() {
        closed = true;
        notifyAll();
    }

    synchronized boolean isClosed() {
        return closed;
    }
}
