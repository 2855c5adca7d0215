package dev.jnydus.sys;

import com.sun.jna.Pointer;
import dev.jnydus.common.FsException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A private anonymous mapping ({@code mmap(MAP_PRIVATE | MAP_ANONYMOUS)}) seen as a direct
 * {@link ByteBuffer}. Unlike {@link ByteBuffer#allocateDirect}, which zeroes (and so makes resident)
 * every page at once, its pages become resident only when first touched: a FUSE worker's 1 MiB
 * request buffer, of which a read-only filesystem's requests touch the first page, costs one page.
 * {@link #close} unmaps it; the buffer must not be used afterwards (the caller owns that rule).
 */
public final class AnonymousMemory implements AutoCloseable {
    private static final int PROT_READ = 0x1;
    private static final int PROT_WRITE = 0x2;
    private static final int MAP_PRIVATE = 0x02;
    private static final int MAP_ANONYMOUS = 0x20;
    private static final long MAP_FAILED = -1L;

    private final long address;
    private final long length;
    private final ByteBuffer buffer;
    private boolean closed;

    private AnonymousMemory(long address, int length) {
        this.address = address;
        this.length = length;
        this.buffer = new Pointer(address).getByteBuffer(0, length).order(ByteOrder.nativeOrder());
    }

    /** Maps {@code length} bytes (1..2 GiB), readable and writable, all zero, none resident yet. */
    public static AnonymousMemory map(int length) throws FsException {
        if (length <= 0) {
            throw new IllegalArgumentException("mapping length must be positive, got " + length);
        }
        KernelCalls.ensureAvailable();
        long a = KernelCalls.mmap(0, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (a == MAP_FAILED) {
            throw Sys.lastError("mmap(" + length + ", anonymous)");
        }
        return new AnonymousMemory(a, length);
    }

    /** The whole mapping, position 0, native byte order; the same buffer on every call. */
    public ByteBuffer buffer() {
        return buffer;
    }

    /** Unmaps the memory; idempotent. */
    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            KernelCalls.munmap(address, length);
        }
    }
}
