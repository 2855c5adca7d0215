package dev.jnydus.sys;

import dev.jnydus.common.Errno;
import dev.jnydus.common.FsException;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A file many threads read and write at explicit offsets (pread(2), pwrite(2)), for data that
 * outlives any one of them, such as a blob cache file.
 *
 * <p>Unlike a {@link java.nio.channels.FileChannel}, an interrupt of a thread using it neither
 * fails the call nor closes the file for every other thread: the calls are plain syscalls, EINTR
 * is retried, and the file closes only when {@link #close()} is called and the last call in
 * progress has returned (so a descriptor number is never used after the kernel may have given it
 * to another file).
 *
 * <p>Direct buffers are read into and written from in place. Heap buffers pass through a
 * per-thread direct buffer in pieces of {@value #SCRATCH} bytes, so no call allocates.
 */
public final class PositionalFile implements AutoCloseable {
    static final int SCRATCH = 256 << 10;
    private static final int SEEK_END = 2;
    private static final int LOCK_EX = 2;
    private static final int LOCK_NB = 4;
    private static final ThreadLocal<ByteBuffer> SCRATCH_BUFFER =
            ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(SCRATCH));

    private final Fd fd;
    private final Path path;
    /** Calls in progress plus one for the owner while open; the descriptor closes at 0. */
    private final AtomicInteger users = new AtomicInteger(1);
    private final AtomicBoolean closed = new AtomicBoolean();

    private PositionalFile(Fd fd, Path path) {
        this.fd = fd;
        this.path = path;
    }

    /** Opens {@code path} for reading and writing, creating it (mode 0644) when missing. */
    public static PositionalFile openOrCreate(Path path) throws FsException {
        return new PositionalFile(Sys.open(path, Sys.O_RDWR | Sys.O_CREAT, 0644), path);
    }

    /** Opens an existing file for reading and writing (ENOENT when there is none). */
    public static PositionalFile openExisting(Path path) throws FsException {
        return new PositionalFile(Sys.open(path, Sys.O_RDWR), path);
    }

    public Path path() {
        return path;
    }

    private int acquire() throws FsException {
        while (true) {
            int n = users.get();
            if (n <= 0) {
                throw new FsException(Errno.EBADF, path + " is closed");
            }
            if (users.compareAndSet(n, n + 1)) {
                return fd.number();
            }
        }
    }

    private void release() {
        if (users.decrementAndGet() == 0) {
            fd.close();
        }
    }

    /**
     * Reads into {@code dst[position, limit)} from {@code offset} until it is full or the file
     * ends; advances the position. Returns the bytes read (fewer than asked only at end of file).
     */
    public int read(ByteBuffer dst, long offset) throws FsException {
        int fdn = acquire();
        try {
            int total = 0;
            while (dst.hasRemaining()) {
                int n = dst.isDirect() ? preadDirect(fdn, dst, offset + total) : preadHeap(fdn, dst, offset + total);
                if (n == 0) {
                    break;
                }
                total += n;
            }
            return total;
        } finally {
            release();
        }
    }

    /** Writes all of {@code src[position, limit)} at {@code offset}; advances the position. */
    public void write(ByteBuffer src, long offset) throws FsException {
        int fdn = acquire();
        try {
            long pos = offset;
            while (src.hasRemaining()) {
                pos += src.isDirect() ? pwriteDirect(fdn, src, pos) : pwriteHeap(fdn, src, pos);
            }
        } finally {
            release();
        }
    }

    private int preadDirect(int fdn, ByteBuffer dst, long offset) throws FsException {
        int pos = dst.position();
        while (true) {
            // Safe because: the kernel writes at most remaining() bytes from address + position,
            // inside the buffer, which the fence keeps alive until the call returned.
            long n = LibC.pread(fdn, Sys.address(dst) + pos, dst.remaining(), offset);
            Reference.reachabilityFence(dst);
            if (n >= 0) {
                dst.position(pos + (int) n);
                return (int) n;
            }
            retryOnEintr("pread(" + path + ", " + offset + ")");
        }
    }

    private int preadHeap(int fdn, ByteBuffer dst, long offset) throws FsException {
        ByteBuffer tmp = SCRATCH_BUFFER.get().clear().limit(Math.min(SCRATCH, dst.remaining()));
        int n = preadDirect(fdn, tmp, offset);
        dst.put(tmp.flip());
        return n;
    }

    private int pwriteDirect(int fdn, ByteBuffer src, long offset) throws FsException {
        int pos = src.position();
        while (true) {
            // Safe because: the kernel reads at most remaining() bytes inside the buffer.
            long n = LibC.pwrite(fdn, Sys.address(src) + pos, src.remaining(), offset);
            Reference.reachabilityFence(src);
            if (n >= 0) {
                src.position(pos + (int) n);
                return (int) n;
            }
            retryOnEintr("pwrite(" + path + ", " + offset + ")");
        }
    }

    private int pwriteHeap(int fdn, ByteBuffer src, long offset) throws FsException {
        ByteBuffer tmp = SCRATCH_BUFFER.get().clear();
        int n = Math.min(SCRATCH, src.remaining());
        tmp.put(src.slice(src.position(), n)).flip();
        int written = pwriteDirect(fdn, tmp, offset);
        src.position(src.position() + written);
        return written;
    }

    private static void retryOnEintr(String call) throws FsException {
        int errno = com.sun.jna.Native.getLastError();
        if (errno != Errno.EINTR.number()) {
            throw Sys.error(call, errno);
        }
    }

    /** The file's size. */
    public long size() throws FsException {
        int fdn = acquire();
        try {
            long n = LibC.lseek(fdn, 0, SEEK_END);
            if (n < 0) {
                throw Sys.error("lseek(" + path + ", SEEK_END)", com.sun.jna.Native.getLastError());
            }
            return n;
        } finally {
            release();
        }
    }

    /** Extends the file (sparsely) to {@code size} bytes when it is shorter; never shortens it. */
    public void extendTo(long size) throws FsException {
        if (size() >= size) {
            return;
        }
        int fdn = acquire();
        try {
            if (LibC.ftruncate(fdn, size) < 0) {
                throw Sys.error("ftruncate(" + path + ", " + size + ")", com.sun.jna.Native.getLastError());
            }
        } finally {
            release();
        }
    }

    /** fdatasync(2): the data written so far is on stable storage when this returns. */
    public void syncData() throws FsException {
        int fdn = acquire();
        try {
            while (LibC.fdatasync(fdn) < 0) {
                retryOnEintr("fdatasync(" + path + ")");
            }
        } finally {
            release();
        }
    }

    /**
     * Takes an exclusive flock(2) on the file without waiting; false when someone else holds one.
     * The lock belongs to this open file (another open of the same file, even in this process,
     * conflicts with it) and goes away when it closes or the process dies.
     */
    public boolean tryLock() throws FsException {
        int fdn = acquire();
        try {
            while (LibC.flock(fdn, LOCK_EX | LOCK_NB) < 0) {
                int errno = com.sun.jna.Native.getLastError();
                if (errno == Errno.EAGAIN.number()) { // EWOULDBLOCK is EAGAIN on Linux
                    return false;
                }
                if (errno != Errno.EINTR.number()) {
                    throw Sys.error("flock(" + path + ")", errno);
                }
            }
            return true;
        } finally {
            release();
        }
    }

    /** fsync(2) of a directory: entries created, renamed or removed in it so far are durable. */
    public static void syncDirectory(Path dir) throws FsException {
        try (Fd d = Sys.open(dir, Sys.O_RDONLY | Sys.O_DIRECTORY)) {
            while (LibC.fsync(d.get()) < 0) {
                retryOnEintr("fsync(" + dir + ")");
            }
        }
    }

    public boolean isOpen() {
        return !closed.get();
    }

    /** Closes the file once the calls in progress have returned. Idempotent. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            release();
        }
    }

    @Override
    public String toString() {
        return "PositionalFile(" + path + (closed.get() ? ", closed)" : ")");
    }
}
