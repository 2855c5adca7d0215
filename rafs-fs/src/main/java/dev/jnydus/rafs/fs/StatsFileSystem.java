package dev.jnydus.rafs.fs;

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
import dev.jnydus.rafs.fs.FsIoStats.Fop;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.CompletionStage;

/**
 * A RAFS filesystem whose operations are recorded in {@link FsIoStats} (upstream records them in
 * {@code rafs/src/fs.rs} with its FopRecorder guard). Each operation is counted as a failure
 * unless it returned; a read also counts the bytes it delivered and its latency. Everything else
 * is the wrapped filesystem's answer, unchanged; every operation the wrapped filesystem
 * implements is forwarded here (a test checks it).
 */
public final class StatsFileSystem implements ReadOnlyFileSystem {
    private final ReadOnlyFileSystem fs;
    private final FsIoStats stats;

    public StatsFileSystem(ReadOnlyFileSystem fs, FsIoStats stats) {
        this.fs = Objects.requireNonNull(fs, "fs");
        this.stats = Objects.requireNonNull(stats, "stats");
    }

    public FsIoStats stats() {
        return stats;
    }

    @Override
    public FsOptions init(FsOptions capable) throws FsException {
        return fs.init(capable);
    }

    @Override
    public void destroy() {
        fs.destroy();
    }

    @Override
    public Entry lookup(Context ctx, long parent, byte[] name) throws FsException {
        try (FsIoStats.Recorder op = stats.begin(Fop.LOOKUP, parent)) {
            Entry e = fs.lookup(ctx, parent, name);
            op.success(0);
            return e;
        }
    }

    @Override
    public void forget(Context ctx, long nodeId, long nlookup) {
        try (FsIoStats.Recorder op = stats.begin(Fop.FORGET, nodeId)) {
            fs.forget(ctx, nodeId, nlookup);
            op.success(0);
        }
    }

    @Override
    public void batchForget(Context ctx, long[] nodeIds, long[] nlookups) {
        try (FsIoStats.Recorder op = stats.begin(Fop.BATCH_FORGET, 0)) {
            fs.batchForget(ctx, nodeIds, nlookups);
            op.success(0);
        }
    }

    @Override
    public AttrReply getattr(Context ctx, long nodeId, OptionalLong fh) throws FsException {
        try (FsIoStats.Recorder op = stats.begin(Fop.GETATTR, nodeId)) {
            AttrReply r = fs.getattr(ctx, nodeId, fh);
            op.success(0);
            return r;
        }
    }

    @Override
    public byte[] readlink(Context ctx, long nodeId) throws FsException {
        try (FsIoStats.Recorder op = stats.begin(Fop.READLINK, nodeId)) {
            byte[] r = fs.readlink(ctx, nodeId);
            op.success(0);
            return r;
        }
    }

    @Override
    public OpenReply open(Context ctx, long nodeId, int flags) throws FsException {
        try (FsIoStats.Recorder op = stats.begin(Fop.OPEN, nodeId)) {
            OpenReply r = fs.open(ctx, nodeId, flags);
            op.success(0);
            return r;
        }
    }

    @Override
    public void read(Context ctx, long nodeId, long fh, long offset, ByteBuffer dst) throws FsException {
        try (FsIoStats.Recorder op = stats.begin(Fop.READ, nodeId)) {
            int start = dst.position();
            fs.read(ctx, nodeId, fh, offset, dst);
            op.success(dst.position() - start);
        }
    }

    /**
     * Recorded when the answer is there: at once for a read the wrapped filesystem answers now,
     * else when its stage completes (on the thread that completes it), so that the latency of a
     * read that waited for the backend includes the wait.
     */
    @Override
    public CompletionStage<ByteBuffer> readAsync(Context ctx, long nodeId, long fh, long offset, ByteBuffer dst)
            throws FsException {
        FsIoStats.Recorder op = stats.begin(Fop.READ, nodeId);
        CompletionStage<ByteBuffer> later;
        int start = dst.position();
        try {
            later = fs.readAsync(ctx, nodeId, fh, offset, dst);
        } catch (FsException | RuntimeException | Error e) {
            op.close();
            throw e;
        }
        if (later == null) {
            op.success(dst.position() - start);
            op.close();
            return null;
        }
        // Recorded beside the answer, not in its way: the reader's stage is the wrapped one.
        later.whenComplete((data, failure) -> {
            if (failure == null && data != null) {
                op.success(data.remaining());
            }
            op.close();
        });
        return later;
    }

    @Override
    public StatFs statfs(Context ctx, long nodeId) throws FsException {
        try (FsIoStats.Recorder op = stats.begin(Fop.STATFS, nodeId)) {
            StatFs r = fs.statfs(ctx, nodeId);
            op.success(0);
            return r;
        }
    }

    @Override
    public void release(Context ctx, long nodeId, long fh, int flags, int releaseFlags, long lockOwner)
            throws FsException {
        try (FsIoStats.Recorder op = stats.begin(Fop.RELEASE, nodeId)) {
            fs.release(ctx, nodeId, fh, flags, releaseFlags, lockOwner);
            op.success(0);
        }
    }

    @Override
    public byte[] getxattr(Context ctx, long nodeId, byte[] name) throws FsException {
        try (FsIoStats.Recorder op = stats.begin(Fop.GETXATTR, nodeId)) {
            byte[] r = fs.getxattr(ctx, nodeId, name);
            op.success(0);
            return r;
        }
    }

    @Override
    public List<byte[]> listxattr(Context ctx, long nodeId) throws FsException {
        try (FsIoStats.Recorder op = stats.begin(Fop.LISTXATTR, nodeId)) {
            List<byte[]> r = fs.listxattr(ctx, nodeId);
            op.success(0);
            return r;
        }
    }

    @Override
    public OpenReply opendir(Context ctx, long nodeId, int flags) throws FsException {
        try (FsIoStats.Recorder op = stats.begin(Fop.OPENDIR, nodeId)) {
            OpenReply r = fs.opendir(ctx, nodeId, flags);
            op.success(0);
            return r;
        }
    }

    @Override
    public void readdir(Context ctx, long nodeId, long fh, long offset, DirSink sink) throws FsException {
        try (FsIoStats.Recorder op = stats.begin(Fop.READDIR, nodeId)) {
            fs.readdir(ctx, nodeId, fh, offset, sink);
            op.success(0);
        }
    }

    @Override
    public void readdirplus(Context ctx, long nodeId, long fh, long offset, DirPlusSink sink) throws FsException {
        try (FsIoStats.Recorder op = stats.begin(Fop.READDIRPLUS, nodeId)) {
            fs.readdirplus(ctx, nodeId, fh, offset, sink);
            op.success(0);
        }
    }

    @Override
    public void releasedir(Context ctx, long nodeId, long fh, int flags) throws FsException {
        fs.releasedir(ctx, nodeId, fh, flags);
    }

    @Override
    public void access(Context ctx, long nodeId, int mask) throws FsException {
        try (FsIoStats.Recorder op = stats.begin(Fop.ACCESS, nodeId)) {
            fs.access(ctx, nodeId, mask);
            op.success(0);
        }
    }

    @Override
    public long lseek(Context ctx, long nodeId, long fh, long offset, int whence) throws FsException {
        return fs.lseek(ctx, nodeId, fh, offset, whence);
    }
}
