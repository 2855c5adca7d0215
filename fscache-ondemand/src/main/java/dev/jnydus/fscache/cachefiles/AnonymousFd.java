package dev.jnydus.fscache.cachefiles;

import dev.jnydus.common.Errno;
import dev.jnydus.common.FsException;
import dev.jnydus.sys.Fd;
import dev.jnydus.sys.FileExtents;
import dev.jnydus.sys.Ioctls;
import dev.jnydus.sys.Sys;
import java.nio.ByteBuffer;

/**
 * A cache object's anonymous fd from the kernel. Writes go to the cache file with direct I/O, so
 * they leave from a block-aligned direct buffer of whole blocks: data that is not already such a
 * buffer is staged through one per thread.
 */
public final class AnonymousFd implements CacheObjectFile {
    /** {@code _IOW(0x98, 1, int)}. */
    static final long IOC_READ_COMPLETE = Ioctls.iow(0x98, 1, 4);
    /** Staging buffers larger than this are not kept between writes. */
    private static final int KEEP_STAGING = 4 << 20;
    private static final ThreadLocal<ByteBuffer> STAGING = new ThreadLocal<>();

    private final Fd fd;

    /** Takes ownership of {@code fd}. */
    public AnonymousFd(Fd fd) {
        this.fd = fd;
    }

    @Override
    public void write(long offset, ByteBuffer data) throws FsException {
        if (offset % BLOCK != 0) {
            throw new FsException(Errno.EINVAL, "cache object write at " + offset + " is not block aligned");
        }
        int len = data.remaining();
        int padded = (len + BLOCK - 1) & -BLOCK;
        ByteBuffer src;
        if (data.isDirect() && len == padded && isAligned(data)) {
            src = data.duplicate();
        } else {
            src = staging(padded);
            src.put(data.duplicate());
            while (src.position() < padded) {
                src.put((byte) 0);
            }
            src.flip();
        }
        long pos = offset;
        while (src.hasRemaining()) {
            pos += Sys.pwrite(fd, src, pos);
        }
        if (padded > KEEP_STAGING) {
            STAGING.remove();
        }
    }

    private static boolean isAligned(ByteBuffer direct) {
        return direct.alignmentOffset(direct.position(), BLOCK) == 0;
    }

    private static ByteBuffer staging(int size) {
        ByteBuffer b = STAGING.get();
        if (b == null || b.capacity() < size) {
            int cap = Math.max(size, 128 << 10);
            b = ByteBuffer.allocateDirect(cap + BLOCK).alignedSlice(BLOCK);
            STAGING.set(b);
        }
        return b.clear().limit(size);
    }

    @Override
    public long nextData(long offset) throws FsException {
        return FileExtents.nextData(fd, offset);
    }

    @Override
    public long nextHole(long offset) throws FsException {
        return FileExtents.nextHole(fd, offset);
    }

    @Override
    public void completeRead(int msgId) throws FsException {
        Ioctls.ioctl(fd, IOC_READ_COMPLETE, Integer.toUnsignedLong(msgId));
    }

    @Override
    public int number() {
        return fd.number();
    }

    @Override
    public void close() {
        fd.close();
    }

    @Override
    public String toString() {
        return "AnonymousFd(" + fd.number() + ")";
    }
}
