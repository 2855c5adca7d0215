package dev.jnydus.fuse.transport.dev;

import dev.jnydus.common.FsException;
import dev.jnydus.fuse.api.AttrReply;
import dev.jnydus.fuse.api.Context;
import dev.jnydus.fuse.api.DirPlusSink;
import dev.jnydus.fuse.api.DirSink;
import dev.jnydus.fuse.api.Entry;
import dev.jnydus.fuse.api.FsOptions;
import dev.jnydus.fuse.api.OpenReply;
import dev.jnydus.fuse.api.ReadOnlyFileSystem;
import dev.jnydus.fuse.api.StatFs;
import dev.jnydus.testkit.InMemoryFileSystem;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The test tree, except that the first lookup of one name stalls inside the filesystem until
 * {@link #release}: a request the daemon has read from the kernel and not answered, which is what
 * a crash or an upgrade leaves behind. Later lookups pass, so the other workers keep serving.
 * {@link #stalled} counts down when the stalled lookup arrives.
 *
 * <p>A lookup, not a read: the kernel answers a failed readahead by reading the page again
 * itself, which would hide a request lost with its descriptor; a lookup that fails fails its
 * caller.
 */
final class StallingFileSystem implements ReadOnlyFileSystem {
    private final InMemoryFileSystem fs;
    private final byte[] stallName;
    private final CountDownLatch stalled = new CountDownLatch(1);
    private final CountDownLatch released = new CountDownLatch(1);
    private final Runnable onStall;
    private final AtomicBoolean first = new AtomicBoolean(true);

    StallingFileSystem(InMemoryFileSystem fs, String stallName, Runnable onStall) {
        this.fs = fs;
        this.stallName = stallName.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        this.onStall = onStall;
    }

    CountDownLatch stalled() {
        return stalled;
    }

    void release() {
        released.countDown();
    }

    @Override
    public void read(Context ctx, long nodeId, long fh, long offset, ByteBuffer dst) throws FsException {
        fs.read(ctx, nodeId, fh, offset, dst);
    }

    @Override
    public FsOptions init(FsOptions capable) throws FsException {
        return fs.init(capable);
    }

    @Override
    public Entry lookup(Context ctx, long parent, byte[] name) throws FsException {
        if (java.util.Arrays.equals(name, stallName) && first.compareAndSet(true, false)) {
            stalled.countDown();
            onStall.run();
            try {
                released.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return fs.lookup(ctx, parent, name);
    }

    @Override
    public void forget(Context ctx, long nodeId, long nlookup) {
        fs.forget(ctx, nodeId, nlookup);
    }

    @Override
    public AttrReply getattr(Context ctx, long nodeId, OptionalLong fh) throws FsException {
        return fs.getattr(ctx, nodeId, fh);
    }

    @Override
    public OpenReply open(Context ctx, long nodeId, int flags) throws FsException {
        return fs.open(ctx, nodeId, flags);
    }

    @Override
    public void release(Context ctx, long nodeId, long fh, int flags, int releaseFlags, long lockOwner) {
        fs.release(ctx, nodeId, fh, flags, releaseFlags, lockOwner);
    }

    @Override
    public OpenReply opendir(Context ctx, long nodeId, int flags) throws FsException {
        return fs.opendir(ctx, nodeId, flags);
    }

    @Override
    public void readdir(Context ctx, long nodeId, long fh, long offset, DirSink sink) throws FsException {
        fs.readdir(ctx, nodeId, fh, offset, sink);
    }

    @Override
    public void readdirplus(Context ctx, long nodeId, long fh, long offset, DirPlusSink sink) throws FsException {
        fs.readdirplus(ctx, nodeId, fh, offset, sink);
    }

    @Override
    public StatFs statfs(Context ctx, long nodeId) {
        return fs.statfs(ctx, nodeId);
    }

    @Override
    public List<byte[]> listxattr(Context ctx, long nodeId) throws FsException {
        return fs.listxattr(ctx, nodeId);
    }
}
