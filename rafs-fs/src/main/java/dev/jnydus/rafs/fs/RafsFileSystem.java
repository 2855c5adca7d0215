package dev.jnydus.rafs.fs;

import dev.jnydus.cache.device.BlobDevice;
import dev.jnydus.common.Errno;
import dev.jnydus.common.FsException;
import dev.jnydus.common.Ticker;
import dev.jnydus.fuse.api.Attr;
import dev.jnydus.fuse.api.AttrReply;
import dev.jnydus.fuse.api.Context;
import dev.jnydus.fuse.api.DirPlusSink;
import dev.jnydus.fuse.api.DirSink;
import dev.jnydus.fuse.api.Entry;
import dev.jnydus.fuse.api.FsOptions;
import dev.jnydus.fuse.api.OpenReply;
import dev.jnydus.fuse.api.ReadOnlyFileSystem;
import dev.jnydus.fuse.api.StatFs;
import dev.jnydus.rafs.layout.SuperFlags;
import dev.jnydus.rafs.metadata.FileExtent;
import dev.jnydus.rafs.metadata.RafsFormatException;
import dev.jnydus.rafs.metadata.RafsInode;
import dev.jnydus.rafs.metadata.RafsSuper;
import dev.jnydus.rafs.metadata.RafsVersion;
import dev.jnydus.rafs.metadata.Xattr;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A RAFS image as a read-only FUSE filesystem, the counterpart of upstream's {@code Rafs}
 * ({@code rafs/src/fs.rs}).
 *
 * <p>Node ids are the image's inode numbers: v5 {@code i_ino} (root 1), v6 and plain EROFS the
 * nid. A v6 root is not node 1 and a nid may be 0 or 1, so the daemon serves this filesystem
 * through a {@code dev.jnydus.fuse.vfs.Vfs} that maps FUSE node 1 to
 * {@link #rootIno()} and packs a backend index into the node ids, as upstream does.
 *
 * <p>What the kernel sees, as upstream reports it:
 * <ul>
 *   <li>uid/gid as stored when the image has EXPLICIT_UID_GID (plain EROFS always has), else the
 *       daemon's own;</li>
 *   <li>an mtime of 0 replaced by the instance's creation time; atime and ctime equal mtime (the
 *       kernel's EROFS does the same; upstream leaves them 0 unless mtime is 0);</li>
 *   <li>the root directory's permission bits forced to 0755;</li>
 *   <li>st_blksize 4096, st_blocks as the reader computes them;</li>
 *   <li>entry and attribute timeouts of 2^32 s unless configured (the image never changes),
 *       negative lookups cached as long;</li>
 *   <li>open and opendir answer KEEP_CACHE (and CACHE_DIR), when the kernel still sends them;</li>
 *   <li>INIT asks for POSIX_ACL too when the image has no xattrs (see {@link #init});</li>
 *   <li>statfs: bsize 512, namelen 255, files = the superblock's inode count, everything else 0;</li>
 *   <li>xattrs only when the image says it has them (HAS_XATTR, or plain EROFS) or
 *       {@code enable_xattr} is set, else ENOSYS, which makes the kernel stop asking; getxattr
 *       answers ENOSYS too when a walk of the whole image found no xattr at all
 *       ({@link Builder#xattrFree}), see {@link #getxattr};</li>
 *   <li>lseek SEEK_DATA/SEEK_HOLE over the holes of sparse files (upstream answers ENOSYS);</li>
 *   <li>every mutating operation EROFS.</li>
 * </ul>
 *
 * <p>Errors: a blob that cannot be read gives the reader EIO and one rate-limited error line
 * naming the blob; the filesystem keeps serving everything else. A metadata record that does not
 * decode gives EIO too (ENOENT for a node id that names no inode).
 *
 * <p>Thread-safe and lock-free on the read path: decoded inodes sit in a small direct-mapped
 * cache, file data is written straight into the FUSE reply buffer when the local cache holds it.
 * A read that needs the backend runs on the fetch executor instead and is answered when it is
 * done ({@link #readAsync}), so that a slow or hanging backend never takes the FUSE workers from
 * lookups, listings and reads of cached data.
 */
public final class RafsFileSystem implements ReadOnlyFileSystem {
    private static final Logger LOG = LoggerFactory.getLogger(RafsFileSystem.class);

    /** Upstream's RAFS_DEFAULT_ATTR_TIMEOUT and RAFS_DEFAULT_ENTRY_TIMEOUT: 2^32 seconds. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(1L << 32);
    /** upstream RAFS_ATTR_BLOCK_SIZE */
    static final int ATTR_BLOCK_SIZE = 4096;
    static final int SEEK_DATA = 3;
    static final int SEEK_HOLE = 4;
    private static final int R_OK = 4;
    private static final int W_OK = 2;
    private static final int X_OK = 1;
    private static final byte[] DOTDOT = {'.', '.'};

    private final RafsSuper sb;
    private final InodeCache inodes;
    private final FileReads reads;
    private final Executor fetches;
    private final Duration entryTimeout;
    private final Duration attrTimeout;
    private final boolean xattrs;
    private final boolean xattrFree;
    private final boolean imageHasXattrs;
    private final int uid;
    private final int gid;
    private final long instanceTime;
    private final long rootIno;
    private final int chunkSize;

    private RafsFileSystem(Builder b) {
        this.sb = b.sb;
        this.inodes = new InodeCache(b.sb, b.inodeCacheSlots);
        this.reads = new FileReads(b.sb, b.device, new CacheBlobs(b.sb),
                new BlobErrorLog(b.ticker, b.errorLogPeriodSeconds, TimeUnit.SECONDS));
        this.fetches = b.fetches;
        this.entryTimeout = b.entryTimeout;
        this.attrTimeout = b.attrTimeout;
        this.imageHasXattrs = (b.sb.flags() & SuperFlags.HAS_XATTR) != 0 || b.sb.version() == RafsVersion.EROFS;
        this.xattrs = b.enableXattr || imageHasXattrs;
        this.xattrFree = b.xattrFree;
        this.uid = b.uid;
        this.gid = b.gid;
        this.instanceTime = b.clock.instant().getEpochSecond();
        this.rootIno = b.sb.rootIno();
        this.chunkSize = Math.max(b.sb.chunkSize(), 4096);
    }

    public static Builder builder(RafsSuper sb) {
        return new Builder(sb);
    }

    /** The inode number of the root directory: where a namespace must map FUSE node 1. */
    public long rootIno() {
        return rootIno;
    }

    // ------------------------------------------------------------------ inodes and attributes

    private RafsInode inode(long ino) throws FsException {
        try {
            return inodes.get(ino);
        } catch (RafsFormatException e) {
            throw new FsException(Errno.ENOENT, "no inode " + ino + ": " + e.getMessage());
        }
    }

    static FsException corrupt(RafsInode inode, RafsFormatException e) {
        LOG.error("inode {}: corrupt metadata: {}", inode.ino(), e.getMessage());
        return new FsException(Errno.EIO, "inode " + inode.ino() + ": " + e.getMessage(), e);
    }

    /** The attributes as upstream reports them (see the class comment). */
    Attr attr(RafsInode i) {
        long mtime = i.mtime();
        int nsec = i.mtimeNsec();
        if (mtime == 0) {
            mtime = instanceTime;
        }
        int mode = i.mode();
        if (i.ino() == rootIno) {
            mode = mode & ~0777 | 0755;
        }
        boolean own = sb.explicitUidGid();
        return new Attr(i.ino(), i.size(), i.blocks(), mtime, nsec, mtime, nsec, mtime, nsec, mode, i.nlink(),
                own ? (int) i.uid() : uid, own ? (int) i.gid() : gid, (int) i.rdev(), ATTR_BLOCK_SIZE, 0);
    }

    private Entry entry(RafsInode i) {
        return new Entry(i.ino(), 0, attr(i), entryTimeout, attrTimeout);
    }

    private RafsInode directory(long ino) throws FsException {
        RafsInode dir = inode(ino);
        if (!dir.isDir()) {
            throw new FsException(Errno.ENOTDIR);
        }
        return dir;
    }

    // ------------------------------------------------------------------ FileSystem

    /**
     * Upstream's wishes, plus POSIX_ACL when the image has no xattrs at all (HAS_XATTR clear, so
     * no ACLs either): the kernel then caches "no ACL" per inode instead of asking for
     * {@code system.posix_acl_access} at every {@code ls -l}, and nothing a reader sees changes
     * (permission checks are the kernel's already, with default_permissions). An image with
     * xattrs is left as upstream serves it: its ACLs shown, not enforced.
     */
    @Override
    public FsOptions init(FsOptions capable) {
        return imageHasXattrs ? FsOptions.UPSTREAM_DEFAULTS : FsOptions.UPSTREAM_DEFAULTS.with(FsOptions.POSIX_ACL);
    }

    @Override
    public Entry lookup(Context ctx, long parent, byte[] name) throws FsException {
        RafsInode dir = directory(parent);
        if (name.length == 1 && name[0] == '.') {
            return entry(dir);
        }
        try {
            RafsInode child;
            if (name.length == 2 && name[0] == '.' && name[1] == '.') {
                child = parentOf(dir);
            } else {
                child = sb.lookup(dir, name);
            }
            if (child == null) {
                return Entry.negative(entryTimeout);
            }
            inodes.put(child);
            return entry(child);
        } catch (RafsFormatException e) {
            throw corrupt(dir, e);
        }
    }

    /** The ".." of a directory; the root is its own parent, as the kernel expects. */
    private RafsInode parentOf(RafsInode dir) throws RafsFormatException {
        return dir.ino() == rootIno ? dir : sb.lookup(dir, DOTDOT);
    }

    @Override
    public AttrReply getattr(Context ctx, long nodeId, OptionalLong fh) throws FsException {
        return new AttrReply(attr(inode(nodeId)), attrTimeout);
    }

    @Override
    public byte[] readlink(Context ctx, long nodeId) throws FsException {
        RafsInode i = inode(nodeId);
        if (!i.isSymlink()) {
            throw new FsException(Errno.EINVAL, "inode " + nodeId + " is not a symlink");
        }
        try {
            return i.symlinkTarget();
        } catch (RafsFormatException e) {
            throw corrupt(i, e);
        }
    }

    @Override
    public OpenReply open(Context ctx, long nodeId, int flags) throws FsException {
        RafsInode i = inode(nodeId);
        if (i.isDir()) {
            throw new FsException(Errno.EISDIR);
        }
        return new OpenReply(0, OpenReply.KEEP_CACHE);
    }

    @Override
    public void release(Context ctx, long nodeId, long fh, int flags, int releaseFlags, long lockOwner) {
        // Nothing is held per open file.
    }

    @Override
    public OpenReply opendir(Context ctx, long nodeId, int flags) throws FsException {
        directory(nodeId);
        return new OpenReply(0, OpenReply.CACHE_DIR | OpenReply.KEEP_CACHE);
    }

    @Override
    public void releasedir(Context ctx, long nodeId, long fh, int flags) {
        // Nothing is held per open directory.
    }

    @Override
    public StatFs statfs(Context ctx, long nodeId) {
        return new StatFs(0, 0, 0, sb.inodeCount(), 0, 512, 255, 0);
    }

    /** The inode whose xattrs are asked for; ENOSYS (the kernel stops asking) when xattrs are off. */
    private RafsInode xattrInode(long nodeId) throws FsException {
        if (!xattrs) {
            throw new FsException(Errno.ENOSYS, "the image has no xattrs");
        }
        return inode(nodeId);
    }

    /**
     * An xattr of an inode. On an image proven to have none ({@link Builder#xattrFree}) the answer
     * is ENOSYS even with {@code enable_xattr}: the kernel then stops asking and tells every later
     * caller EOPNOTSUPP by itself, instead of a round trip per question answered ENODATA (upstream's
     * answer with {@code enable_xattr}; {@code ls -l} asks every file for {@code security.selinux},
     * an exec asks for {@code security.capability}). Callers treat both as "no such attribute"
     * (ls, overlayfs, the kernel's capability check); listxattr keeps answering an empty list.
     */
    @Override
    public byte[] getxattr(Context ctx, long nodeId, byte[] name) throws FsException {
        if (xattrFree) {
            throw FsException.answer(Errno.ENOSYS);
        }
        RafsInode i = xattrInode(nodeId);
        byte[] v;
        try {
            v = i.xattr(name);
        } catch (RafsFormatException e) {
            throw corrupt(i, e);
        }
        if (v == null) {
            // The common answer (ls asks every file for security.selinux): no stack trace.
            throw FsException.answer(Errno.ENODATA);
        }
        return v;
    }

    @Override
    public List<byte[]> listxattr(Context ctx, long nodeId) throws FsException {
        RafsInode i = xattrInode(nodeId);
        try {
            List<Xattr> all = i.xattrs();
            List<byte[]> names = new ArrayList<>(all.size());
            for (Xattr x : all) {
                names.add(x.name());
            }
            return names;
        } catch (RafsFormatException e) {
            throw corrupt(i, e);
        }
    }

    @Override
    public void readdir(Context ctx, long nodeId, long fh, long offset, DirSink sink) throws FsException {
        RafsInode dir = directory(nodeId);
        try {
            sb.readdir(dir, offset, (name, ino, type, next) -> sink.add(name, ino, type, next));
        } catch (RafsFormatException e) {
            throw corrupt(dir, e);
        }
    }

    @Override
    public void readdirplus(Context ctx, long nodeId, long fh, long offset, DirPlusSink sink) throws FsException {
        RafsInode dir = directory(nodeId);
        try {
            sb.readdir(dir, offset, (name, ino, type, next) -> {
                RafsInode child = ino == dir.ino() ? dir : inodes.get(ino);
                return sink.add(name, next, entry(child));
            });
        } catch (RafsFormatException e) {
            throw corrupt(dir, e);
        }
    }

    @Override
    public void access(Context ctx, long nodeId, int mask) throws FsException {
        Attr st = attr(inode(nodeId));
        int mode = mask & (R_OK | W_OK | X_OK);
        if (mode == 0) {
            return;
        }
        // upstream's check, including its quirk that root needs some x bit for X_OK
        boolean root = ctx.uid() == 0;
        if ((mode & R_OK) != 0 && !root && !permits(st, ctx, R_OK)
                || (mode & W_OK) != 0 && !root && !permits(st, ctx, W_OK)
                || (mode & X_OK) != 0 && (!root || (st.mode() & 0111) == 0) && !permits(st, ctx, X_OK)) {
            throw new FsException(Errno.EACCES);
        }
    }

    /** Whether the owner, group or other bits for {@code bit} (R_OK, W_OK or X_OK) let the caller in. */
    private static boolean permits(Attr st, Context ctx, int bit) {
        int m = st.mode();
        return st.uid() == ctx.uid() && (m & bit << 6) != 0 || st.gid() == ctx.gid() && (m & bit << 3) != 0
                || (m & bit) != 0;
    }

    // ------------------------------------------------------------------ data

    private RafsInode regularFile(long nodeId) throws FsException {
        RafsInode i = inode(nodeId);
        if (!i.isReg()) {
            throw new FsException(i.isDir() ? Errno.EISDIR : Errno.EINVAL);
        }
        return i;
    }

    @Override
    public void read(Context ctx, long nodeId, long fh, long offset, ByteBuffer dst) throws FsException {
        perform(reads.plan(regularFile(nodeId), offset, dst.remaining()), dst);
    }

    /**
     * Answers now when every chunk of the range is in the local cache (or the range has none);
     * otherwise reads on the fetch executor, into a buffer of its own, and answers when that is
     * done, so the FUSE worker is free at once. Without a fetch executor, always answers now.
     */
    @Override
    public CompletionStage<ByteBuffer> readAsync(Context ctx, long nodeId, long fh, long offset, ByteBuffer dst)
            throws FsException {
        FileReads.Plan plan = reads.plan(regularFile(nodeId), offset, dst.remaining());
        if (fetches == null || reads.isCached(plan)) {
            perform(plan, dst);
            return null;
        }
        CompletableFuture<ByteBuffer> answer = new CompletableFuture<>();
        try {
            fetches.execute(() -> fetch(plan, answer));
        } catch (RejectedExecutionException e) {
            throw new FsException(Errno.EIO, "inode " + plan.inode().ino() + ": no fetches accepted (closing?)", e);
        }
        return answer;
    }

    /**
     * Every read of file data passes here, on a FUSE worker or a fetch thread, once its plan is
     * made: the place to observe reads (bytes, latency, failures) whichever way they are answered.
     */
    private void perform(FileReads.Plan plan, ByteBuffer dst) throws FsException {
        reads.perform(plan, dst);
    }

    private void fetch(FileReads.Plan plan, CompletableFuture<ByteBuffer> answer) {
        try {
            ByteBuffer own = ByteBuffer.allocateDirect(plan.size());
            perform(plan, own);
            answer.complete(own.flip());
        } catch (Throwable t) {
            // Whatever went wrong, the reader gets an answer (the server makes non-FsExceptions EIO).
            answer.completeExceptionally(t);
        }
    }

    @Override
    public long lseek(Context ctx, long nodeId, long fh, long offset, int whence) throws FsException {
        if (whence != SEEK_DATA && whence != SEEK_HOLE) {
            throw new FsException(Errno.EINVAL, "lseek whence " + whence);
        }
        RafsInode i = inode(nodeId);
        if (!i.isReg()) {
            throw new FsException(Errno.EINVAL);
        }
        long size = i.size();
        if (offset < 0 || offset >= size) {
            throw new FsException(Errno.ENXIO);
        }
        long window = (long) chunkSize * 64;
        long pos = offset;
        try {
            while (pos < size) {
                List<FileExtent> extents = i.extents(pos, Math.min(window, size - pos));
                if (extents.isEmpty()) {
                    break;
                }
                for (FileExtent e : extents) {
                    long from = Math.max(pos, e.fileOffset());
                    long to = e.fileOffset() + e.length();
                    if (to <= from) {
                        continue;
                    }
                    boolean hole = e instanceof FileExtent.Hole;
                    if (hole == (whence == SEEK_HOLE)) {
                        return from;
                    }
                    pos = to;
                }
            }
        } catch (RafsFormatException e) {
            throw corrupt(i, e);
        }
        if (whence == SEEK_HOLE) {
            return size;
        }
        throw new FsException(Errno.ENXIO);
    }

    /** Configures a {@link RafsFileSystem}; only the superblock is required. */
    public static final class Builder {
        private final RafsSuper sb;
        private BlobDevice device;
        private Executor fetches;
        private Duration entryTimeout = DEFAULT_TIMEOUT;
        private Duration attrTimeout = DEFAULT_TIMEOUT;
        private boolean enableXattr;
        private boolean xattrFree;
        private int uid;
        private int gid;
        private Clock clock = Clock.systemUTC();
        private Ticker ticker = Ticker.system();
        private int inodeCacheSlots = 1 << 14;
        private long errorLogPeriodSeconds = 10;

        private Builder(RafsSuper sb) {
            this.sb = Objects.requireNonNull(sb, "sb");
        }

        /** Where file data comes from; required when the image has blobs. */
        public Builder device(BlobDevice v) {
            device = v;
            return this;
        }

        /**
         * Where reads that need chunks missing from the local cache run, so that they wait off
         * the FUSE workers (see {@link RafsFileSystem#readAsync}); its parallelism bounds the
         * fetches this filesystem has in flight. Without one, reads run on the calling worker.
         */
        public Builder fetchExecutor(Executor v) {
            fetches = v;
            return this;
        }

        public Builder timeouts(Duration entry, Duration attr) {
            if (entry.isNegative() || attr.isNegative()) {
                throw new IllegalArgumentException("negative timeout: entry " + entry + ", attr " + attr);
            }
            entryTimeout = entry;
            attrTimeout = attr;
            return this;
        }

        /** {@code rafs.enable_xattr}: answer xattr requests even when the image has no HAS_XATTR flag. */
        public Builder enableXattr(boolean v) {
            enableXattr = v;
            return this;
        }

        /**
         * The whole image was walked and no entry has an xattr ({@code ImageValidator.Summary}):
         * getxattr may then tell the kernel to stop asking (see {@link RafsFileSystem#getxattr}).
         */
        public Builder xattrFree(boolean v) {
            xattrFree = v;
            return this;
        }

        /** The owner reported when the image has no explicit uid/gid: the daemon's euid/egid. */
        public Builder owner(int uid, int gid) {
            this.uid = uid;
            this.gid = gid;
            return this;
        }

        /** Gives the instance creation time (reported for mtime 0). */
        public Builder clock(Clock v) {
            clock = Objects.requireNonNull(v, "clock");
            return this;
        }

        /** Paces the blob error lines. */
        public Builder ticker(Ticker v) {
            ticker = Objects.requireNonNull(v, "ticker");
            return this;
        }

        /** One error line per failing blob per this many seconds (default 10). */
        public Builder errorLogPeriodSeconds(long v) {
            if (v < 0) {
                throw new IllegalArgumentException("negative period " + v);
            }
            errorLogPeriodSeconds = v;
            return this;
        }

        /** Size of the decoded-inode cache, a power of two (default 16384). */
        public Builder inodeCacheSlots(int v) {
            inodeCacheSlots = v;
            return this;
        }

        public RafsFileSystem build() {
            if (device == null && !sb.blobs().isEmpty()) {
                throw new IllegalArgumentException("the image has " + sb.blobs().size() + " blobs but no device was given");
            }
            return new RafsFileSystem(this);
        }
    }
}
