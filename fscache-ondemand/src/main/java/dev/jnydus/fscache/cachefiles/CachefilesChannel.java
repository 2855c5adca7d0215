package dev.jnydus.fscache.cachefiles;

import dev.jnydus.common.FsException;
import java.nio.ByteBuffer;

/**
 * The daemon's side of {@code /dev/cachefiles}: messages in, commands out, and the anonymous fds
 * the kernel installs with OPEN messages. {@link DevCachefiles} is the kernel's; tests use a fake.
 *
 * <p>Threads: {@link #read} and {@link #command} may be called from any thread; {@link #await} by
 * one thread at a time (the workers serialise their polling).
 */
public interface CachefilesChannel extends AutoCloseable {

    /**
     * Reads one message into {@code dst} from its position; returns its length, or 0 when no request
     * is pending (the device never blocks). {@code dst} must have room for
     * {@link MessageCodec#MAX_SIZE} bytes.
     *
     * @throws FsException EIO once the cache is dead; EBADF after {@link #close()}
     */
    int read(ByteBuffer dst) throws FsException;

    /**
     * Writes one command ({@link Commands}).
     *
     * @throws FsException the kernel's verdict: EINVAL for a {@code copen} of a request that is no
     *     longer outstanding, EOPNOTSUPP for an unknown command or a mode mismatch, EIO once the
     *     cache is dead
     */
    void command(String command) throws FsException;

    /**
     * Waits until a request may be pending, {@link #wakeup()} is called, or the timeout (-1 =
     * forever) passes. Returns whether the device reported readable; a spurious true is harmless
     * (a read then returns 0).
     */
    boolean await(int timeoutMillis) throws FsException;

    /** Makes every present and future {@link #await} return at once; for shutdown. */
    void wakeup();

    /** Takes ownership of the anonymous fd an OPEN installed in this process. */
    CacheObjectFile adoptObjectFd(int fd);

    /** Closes the device; with no other holder of it the cache dies and its requests fail. */
    @Override
    void close();
}
