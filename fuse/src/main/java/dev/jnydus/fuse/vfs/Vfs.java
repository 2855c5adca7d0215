package dev.jnydus.fuse.vfs;

import dev.jnydus.common.Errno;
import dev.jnydus.common.FsException;
import dev.jnydus.fuse.api.AttrReply;
import dev.jnydus.fuse.api.Context;
import dev.jnydus.fuse.api.CreateReply;
import dev.jnydus.fuse.api.DirPlusSink;
import dev.jnydus.fuse.api.DirSink;
import dev.jnydus.fuse.api.Entry;
import dev.jnydus.fuse.api.FileLock;
import dev.jnydus.fuse.api.FileSystem;
import dev.jnydus.fuse.api.FsOptions;
import dev.jnydus.fuse.api.OpenReply;
import dev.jnydus.fuse.api.SetAttr;
import dev.jnydus.fuse.api.StatFs;
import dev.jnydus.fuse.vfs.MountTable.Target;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One FUSE namespace holding several backend filesystems, each attached at a path ("/" for the
 * usual single RAFS mount, "/sub" for {@code --virtual-mountpoint /sub} or for the API's mounts in
 * a shared daemon), as fuse-backend-rs's {@code Vfs} does for upstream nydusd.
 *
 * <h2>Inode-index packing</h2>
 * A node id the kernel sees is {@code (index << 56) | ino}: the top 8 bits name the backend
 * (1..255; 0 is the pseudo filesystem of directories leading to attach points), the low 56 bits
 * are the backend's own inode number, which must stay below 2^56. Attributes and directory entries
 * report the same packed number as st_ino, exactly as upstream does, so {@code stat} shows the
 * same inode numbers under both daemons. FUSE node 1 is special: when a backend is attached at
 * "/", node 1 is that backend's root inode; otherwise it is the pseudo root directory. The
 * backend's root reached through a lookup (or "..") has the packed number, so the kernel may know
 * the root under two node ids; that is harmless and again what upstream does.
 *
 * <h2>Open and opendir</h2>
 * When the kernel accepts NO_OPEN_SUPPORT / NO_OPENDIR_SUPPORT (and the options ask for them),
 * open and opendir answer ENOSYS without asking the backend, so the kernel stops sending them and
 * keeps its page cache across opens (its defaults for no-open files are KEEP_CACHE and CACHE_DIR).
 *
 * <h2>Xattrs</h2>
 * A backend's ENOSYS for getxattr or listxattr turns the request off for the whole session in the
 * kernel, so it reaches the kernel only from the one backend attached at "/"; beside other
 * backends (or any backend of a shared namespace) it becomes ENODATA or an empty list.
 *
 * <p>Backends are called with their own inode numbers and must follow the {@link FileSystem}
 * contract; attaching and detaching may happen while requests are served.
 */
public final class Vfs implements FileSystem {
    private static final Logger LOG = LoggerFactory.getLogger(Vfs.class);

    /** Bits of a node id left to the backend's inode number. */
    public static final int INDEX_SHIFT = 56;
    /** The largest inode number a backend may use. */
    public static final long MAX_INO = (1L << INDEX_SHIFT) - 1;
    /** Backends one namespace can hold: indices 1..255. */
    public static final int MAX_BACKENDS = 255;
    /** How long the kernel may cache pseudo directories (upstream: 2^32 s, i.e. for ever). */
    static final Duration PSEUDO_TIMEOUT = Duration.ofSeconds(1L << 32);

    private final PseudoFs tree;
    private final MountTable mounts;
    private final PseudoDirs pseudo;
    private final FsOptions wanted;
    private volatile FsOptions enabled = FsOptions.NONE;
    private volatile boolean noOpen;
    private volatile boolean noOpendir;
    /** A getxattr was answered ENOSYS: the kernel asks this session for no xattr any more. */
    private volatile boolean xattrsOff;

    /** A namespace that asks the kernel for {@link FsOptions#UPSTREAM_DEFAULTS}. */
    public Vfs() {
        this(FsOptions.UPSTREAM_DEFAULTS, Clock.systemUTC());
    }

    /**
     * @param wanted what {@link #init} asks for
     * @param clock the time pseudo directories report (upstream: the time of the request)
     */
    public Vfs(FsOptions wanted, Clock clock) {
        this.wanted = Objects.requireNonNull(wanted, "wanted");
        this.tree = new PseudoFs();
        this.mounts = new MountTable(tree);
        this.pseudo = new PseudoDirs(tree, mounts, Objects.requireNonNull(clock, "clock"));
    }

    // ------------------------------------------------------------------ the mount table

    /**
     * Attaches {@code fs} at {@code path}, creating the pseudo directories on the way. A backend
     * already at that path is replaced (its node ids go stale, as upstream's over-mount).
     *
     * @param rootIno the backend's inode number of its root directory, at most {@link #MAX_INO}
     * @return the backend's index (the top 8 bits of its node ids)
     * @throws FsException EINVAL for a bad path or inode number, ENOSPC when 255 backends are attached
     */
    public synchronized int attach(String path, FileSystem fs, long rootIno) throws FsException {
        return attach(path, fs, rootIno, 0);
    }

    /**
     * Attaches {@code fs} at {@code path} with the backend index {@code index} (1..255), as a
     * predecessor had it: the node ids the kernel holds for that backend lead to it again.
     *
     * @throws FsException EBUSY when the index is taken, EINVAL for a bad path, inode or index
     */
    public synchronized int attachAt(String path, FileSystem fs, long rootIno, int index) throws FsException {
        if (index < 1 || index > MAX_BACKENDS) {
            throw new FsException(Errno.EINVAL, "backend index " + index + " is outside 1.." + MAX_BACKENDS);
        }
        return attach(path, fs, rootIno, index);
    }

    private int attach(String path, FileSystem fs, long rootIno, int index) throws FsException {
        MountTable.Attached a = mounts.attach(path, fs, rootIno, index);
        if (xattrsOff) {
            LOG.warn("{}: this FUSE session told the kernel it has no xattrs (the image at / has none); "
                    + "xattrs of the images attached later are not shown", path);
        }
        if (!enabled.equals(FsOptions.NONE)) {
            FsOptions w = fs.init(enabled);
            if (enabled.contains(FsOptions.POSIX_ACL) && (w == null || !w.contains(FsOptions.POSIX_ACL))) {
                LOG.warn("{}: the session enforces POSIX ACLs (negotiated for the images attached at mount); "
                        + "this image's ACLs are enforced by the kernel too", path);
            }
        }
        return a.index();
    }

    /**
     * Detaches the backend at {@code path} and calls its {@link FileSystem#destroy}. Its node ids go
     * stale: the kernel gets ENOENT for them from then on. The pseudo directory stays.
     *
     * @return the detached filesystem
     * @throws FsException EINVAL when nothing is attached there
     */
    public synchronized FileSystem detach(String path) throws FsException {
        MountTable.Attached a = mounts.detach(path);
        a.fs().destroy();
        return a.fs();
    }

    /** The backend attached at {@code path}, if any. */
    public Optional<FileSystem> attached(String path) throws FsException {
        MountTable.Attached a = mounts.at(path);
        return Optional.ofNullable(a == null ? null : a.fs());
    }

    /** The attach points, in index order. */
    public List<String> attachPoints() {
        List<String> out = new ArrayList<>();
        for (MountTable.Attached a : mounts.all()) {
            out.add(a.path());
        }
        return out;
    }

    /** The pseudo directories and counters a successor needs ({@link #restoreLayout}). */
    public synchronized VfsLayout layout() {
        return tree.layout(mounts.nextIndex());
    }

    /**
     * Recreates a predecessor's pseudo directories and counters, before anything is attached.
     *
     * @throws FsException EINVAL when something is attached already or the layout is inconsistent
     */
    public synchronized void restoreLayout(VfsLayout layout) throws FsException {
        if (!mounts.all().isEmpty()) {
            throw new FsException(Errno.EINVAL, "backends are attached already; cannot restore a layout");
        }
        if (layout.nextIndex() < 1 || layout.nextIndex() > MAX_BACKENDS) {
            throw new FsException(Errno.EINVAL, "saved next backend index " + layout.nextIndex() + " is outside 1.."
                    + MAX_BACKENDS);
        }
        tree.restore(layout);
        mounts.nextIndex(layout.nextIndex());
    }

    /**
     * Forgets every pseudo directory and counter, as a new namespace has none; only when nothing
     * is attached (undoes a {@link #restoreLayout} whose takeover failed later).
     */
    public synchronized void resetLayout() throws FsException {
        if (!mounts.all().isEmpty()) {
            throw new FsException(Errno.EINVAL, "backends are attached; cannot reset the layout");
        }
        tree.reset();
        mounts.nextIndex(1);
    }

    /** The node id the kernel uses for inode {@code ino} of the backend with {@code index}. */
    public static long nodeId(int index, long ino) {
        if (ino == 0) {
            return 0;
        }
        return ((long) index << INDEX_SHIFT) | ino;
    }

    /** Where {@code node} leads, which must be a backend: {@code onPseudo} for a pseudo directory. */
    private Target backend(long node, Errno onPseudo, String message) throws FsException {
        Target t = mounts.target(node);
        if (t.pseudo()) {
            throw message == null ? new FsException(onPseudo) : new FsException(onPseudo, message);
        }
        return t;
    }

    // ------------------------------------------------------------------ FileSystem

    /**
     * Enables what both the kernel and this namespace's {@code wanted} offer, except POSIX_ACL,
     * which stays only when every backend attached at INIT asks for it too (an image without
     * xattrs, see {@code RafsFileSystem#init}): with it the kernel enforces the ACLs it reads and
     * caches them, and a backend whose ACLs upstream shows but does not enforce must not be
     * switched to enforcing them.
     */
    @Override
    public FsOptions init(FsOptions capable) throws FsException {
        FsOptions on = capable.and(wanted);
        List<MountTable.Attached> all = mounts.all();
        boolean acl = on.contains(FsOptions.POSIX_ACL) && !all.isEmpty();
        for (MountTable.Attached a : all) {
            FsOptions w = a.fs().init(on);
            acl &= w != null && w.contains(FsOptions.POSIX_ACL);
        }
        FsOptions want = wanted;
        if (!acl) {
            on = on.without(FsOptions.POSIX_ACL);
            want = want.without(FsOptions.POSIX_ACL);
        }
        noOpen = on.contains(FsOptions.NO_OPEN_SUPPORT);
        noOpendir = on.contains(FsOptions.NO_OPENDIR_SUPPORT);
        enabled = on;
        return want;
    }

    @Override
    public void destroy() {
        for (MountTable.Attached a : mounts.all()) {
            a.fs().destroy();
        }
    }

    @Override
    public Entry lookup(Context ctx, long parent, byte[] name) throws FsException {
        for (byte b : name) {
            if (b == '/') {
                throw new FsException(Errno.EINVAL, "name with a slash");
            }
        }
        Target t = mounts.target(parent);
        if (t.pseudo()) {
            return pseudo.lookup(ctx, t.ino(), name);
        }
        return t.mount().entry(t.mount().fs().lookup(ctx, t.ino(), name));
    }

    @Override
    public void forget(Context ctx, long nodeId, long nlookup) {
        try {
            Target t = mounts.target(nodeId);
            if (!t.pseudo()) {
                t.mount().fs().forget(ctx, t.ino(), nlookup);
            }
        } catch (FsException e) {
            // A node of a detached backend: nothing holds it any more.
            LOG.debug("forget of node {}: {}", Long.toHexString(nodeId), e.getMessage());
        }
    }

    @Override
    public AttrReply getattr(Context ctx, long nodeId, OptionalLong fh) throws FsException {
        Target t = mounts.target(nodeId);
        if (t.pseudo()) {
            return pseudo.getattr(t.ino());
        }
        AttrReply r = t.mount().fs().getattr(ctx, t.ino(), fh);
        return new AttrReply(t.mount().attr(r.attr(), t.ino()), r.timeout());
    }

    @Override
    public AttrReply setattr(Context ctx, long nodeId, SetAttr attr) throws FsException {
        Target t = backend(nodeId, Errno.EROFS, null);
        AttrReply r = t.mount().fs().setattr(ctx, t.ino(), attr);
        return new AttrReply(t.mount().attr(r.attr(), t.ino()), r.timeout());
    }

    @Override
    public byte[] readlink(Context ctx, long nodeId) throws FsException {
        Target t = backend(nodeId, Errno.EINVAL, "a pseudo directory is not a symlink");
        return t.mount().fs().readlink(ctx, t.ino());
    }

    @Override
    public Entry symlink(Context ctx, byte[] target, long parent, byte[] name) throws FsException {
        Target t = backend(parent, Errno.EROFS, null);
        return t.mount().entry(t.mount().fs().symlink(ctx, target, t.ino(), name));
    }

    @Override
    public Entry mknod(Context ctx, long parent, byte[] name, int mode, int rdev, int umask) throws FsException {
        Target t = backend(parent, Errno.EROFS, null);
        return t.mount().entry(t.mount().fs().mknod(ctx, t.ino(), name, mode, rdev, umask));
    }

    @Override
    public Entry mkdir(Context ctx, long parent, byte[] name, int mode, int umask) throws FsException {
        Target t = backend(parent, Errno.EROFS, null);
        return t.mount().entry(t.mount().fs().mkdir(ctx, t.ino(), name, mode, umask));
    }

    @Override
    public void unlink(Context ctx, long parent, byte[] name) throws FsException {
        Target t = backend(parent, Errno.EROFS, null);
        t.mount().fs().unlink(ctx, t.ino(), name);
    }

    @Override
    public void rmdir(Context ctx, long parent, byte[] name) throws FsException {
        Target t = backend(parent, Errno.EROFS, null);
        t.mount().fs().rmdir(ctx, t.ino(), name);
    }

    @Override
    public void rename(Context ctx, long parent, byte[] name, long newParent, byte[] newName, int flags)
            throws FsException {
        Target from = mounts.target(parent);
        Target to = mounts.target(newParent);
        if (from.pseudo() || to.pseudo()) {
            throw new FsException(Errno.EROFS);
        }
        if (from.mount() != to.mount()) {
            throw new FsException(Errno.EXDEV);
        }
        from.mount().fs().rename(ctx, from.ino(), name, to.ino(), newName, flags);
    }

    @Override
    public Entry link(Context ctx, long nodeId, long newParent, byte[] newName) throws FsException {
        Target src = mounts.target(nodeId);
        Target dir = mounts.target(newParent);
        if (src.pseudo() || dir.pseudo()) {
            throw new FsException(Errno.EROFS);
        }
        if (src.mount() != dir.mount()) {
            throw new FsException(Errno.EXDEV);
        }
        return dir.mount().entry(dir.mount().fs().link(ctx, src.ino(), dir.ino(), newName));
    }

    @Override
    public OpenReply open(Context ctx, long nodeId, int flags) throws FsException {
        if (noOpen) {
            throw new FsException(Errno.ENOSYS);
        }
        Target t = backend(nodeId, Errno.EISDIR, null);
        return t.mount().fs().open(ctx, t.ino(), flags);
    }

    @Override
    public void read(Context ctx, long nodeId, long fh, long offset, ByteBuffer dst) throws FsException {
        Target t = backend(nodeId, Errno.EISDIR, null);
        t.mount().fs().read(ctx, t.ino(), fh, offset, dst);
    }

    @Override
    public CompletionStage<ByteBuffer> readAsync(Context ctx, long nodeId, long fh, long offset, ByteBuffer dst)
            throws FsException {
        Target t = backend(nodeId, Errno.EISDIR, null);
        return t.mount().fs().readAsync(ctx, t.ino(), fh, offset, dst);
    }

    @Override
    public int write(Context ctx, long nodeId, long fh, long offset, ByteBuffer data, int writeFlags, int flags)
            throws FsException {
        Target t = backend(nodeId, Errno.EISDIR, null);
        return t.mount().fs().write(ctx, t.ino(), fh, offset, data, writeFlags, flags);
    }

    @Override
    public StatFs statfs(Context ctx, long nodeId) throws FsException {
        Target t = mounts.target(nodeId);
        if (t.pseudo()) {
            // What libfuse and fuse-backend-rs answer for a filesystem without statfs.
            return new StatFs(0, 0, 0, 0, 0, 512, 255, 0);
        }
        return t.mount().fs().statfs(ctx, t.ino());
    }

    @Override
    public void release(Context ctx, long nodeId, long fh, int flags, int releaseFlags, long lockOwner)
            throws FsException {
        Target t = mounts.target(nodeId);
        if (!t.pseudo()) {
            t.mount().fs().release(ctx, t.ino(), fh, flags, releaseFlags, lockOwner);
        }
    }

    @Override
    public void fsync(Context ctx, long nodeId, long fh, boolean datasync) throws FsException {
        Target t = mounts.target(nodeId);
        if (!t.pseudo()) {
            t.mount().fs().fsync(ctx, t.ino(), fh, datasync);
        }
    }

    @Override
    public void setxattr(Context ctx, long nodeId, byte[] name, byte[] value, int flags) throws FsException {
        Target t = backend(nodeId, Errno.EROFS, null);
        t.mount().fs().setxattr(ctx, t.ino(), name, value, flags);
    }

    @Override
    public byte[] getxattr(Context ctx, long nodeId, byte[] name) throws FsException {
        Target t = mounts.target(nodeId);
        if (t.pseudo()) {
            // Not ENOSYS: that would switch xattrs off for the backends too.
            throw FsException.answer(Errno.ENODATA);
        }
        try {
            return t.mount().fs().getxattr(ctx, t.ino(), name);
        } catch (FsException e) {
            if (e.errno() == Errno.ENOSYS && !xattrsOff) {
                if (!soleBackendAtRoot(t.mount())) {
                    // ENOSYS would switch xattrs off for the other backends, present and future.
                    throw FsException.answer(Errno.ENODATA);
                }
                xattrsOff = true;
            }
            throw e;
        }
    }

    /** {@code a} is attached at "/" and is the only backend: a dedicated daemon's image. */
    private boolean soleBackendAtRoot(MountTable.Attached a) {
        List<MountTable.Attached> all = mounts.all();
        return "/".equals(a.path()) && all.size() == 1 && all.get(0) == a;
    }

    @Override
    public List<byte[]> listxattr(Context ctx, long nodeId) throws FsException {
        Target t = mounts.target(nodeId);
        if (t.pseudo()) {
            return List.of();
        }
        try {
            return t.mount().fs().listxattr(ctx, t.ino());
        } catch (FsException e) {
            if (e.errno() == Errno.ENOSYS && !soleBackendAtRoot(t.mount())) {
                // As for getxattr: ENOSYS would switch listxattr off for the other backends.
                return List.of();
            }
            throw e;
        }
    }

    @Override
    public void removexattr(Context ctx, long nodeId, byte[] name) throws FsException {
        Target t = backend(nodeId, Errno.EROFS, null);
        t.mount().fs().removexattr(ctx, t.ino(), name);
    }

    @Override
    public void flush(Context ctx, long nodeId, long fh, long lockOwner) throws FsException {
        Target t = mounts.target(nodeId);
        if (!t.pseudo()) {
            t.mount().fs().flush(ctx, t.ino(), fh, lockOwner);
        }
    }

    @Override
    public OpenReply opendir(Context ctx, long nodeId, int flags) throws FsException {
        if (noOpendir) {
            throw new FsException(Errno.ENOSYS);
        }
        Target t = mounts.target(nodeId);
        if (t.pseudo()) {
            return pseudo.opendir(t.ino());
        }
        return t.mount().fs().opendir(ctx, t.ino(), flags);
    }

    @Override
    public void readdir(Context ctx, long nodeId, long fh, long offset, DirSink sink) throws FsException {
        Target t = mounts.target(nodeId);
        if (t.pseudo()) {
            pseudo.readdir(t.ino(), offset, sink);
            return;
        }
        MountTable.Attached a = t.mount();
        a.fs().readdir(ctx, t.ino(), fh, offset, (name, ino, type, next) -> sink.add(name, a.nodeId(ino), type, next));
    }

    @Override
    public void readdirplus(Context ctx, long nodeId, long fh, long offset, DirPlusSink sink) throws FsException {
        Target t = mounts.target(nodeId);
        if (t.pseudo()) {
            pseudo.readdirplus(ctx, t.ino(), offset, sink);
            return;
        }
        MountTable.Attached a = t.mount();
        a.fs().readdirplus(ctx, t.ino(), fh, offset, (name, next, entry) -> sink.add(name, next, a.entry(entry)));
    }

    @Override
    public void releasedir(Context ctx, long nodeId, long fh, int flags) throws FsException {
        Target t = mounts.target(nodeId);
        if (!t.pseudo()) {
            t.mount().fs().releasedir(ctx, t.ino(), fh, flags);
        }
    }

    @Override
    public void fsyncdir(Context ctx, long nodeId, long fh, boolean datasync) throws FsException {
        Target t = mounts.target(nodeId);
        if (!t.pseudo()) {
            t.mount().fs().fsyncdir(ctx, t.ino(), fh, datasync);
        }
    }

    @Override
    public FileLock getlk(Context ctx, long nodeId, long fh, long owner, FileLock lock, int lkFlags)
            throws FsException {
        Target t = backend(nodeId, Errno.EINVAL, null);
        return t.mount().fs().getlk(ctx, t.ino(), fh, owner, lock, lkFlags);
    }

    @Override
    public void setlk(Context ctx, long nodeId, long fh, long owner, FileLock lock, int lkFlags, boolean sleep)
            throws FsException {
        Target t = backend(nodeId, Errno.EINVAL, null);
        t.mount().fs().setlk(ctx, t.ino(), fh, owner, lock, lkFlags, sleep);
    }

    @Override
    public void access(Context ctx, long nodeId, int mask) throws FsException {
        Target t = mounts.target(nodeId);
        if (t.pseudo()) {
            pseudo.access(t.ino(), mask);
            return;
        }
        t.mount().fs().access(ctx, t.ino(), mask);
    }

    @Override
    public CreateReply create(Context ctx, long parent, byte[] name, int mode, int flags, int umask)
            throws FsException {
        Target t = backend(parent, Errno.EROFS, null);
        CreateReply r = t.mount().fs().create(ctx, t.ino(), name, mode, flags, umask);
        return new CreateReply(t.mount().entry(r.entry()), r.open());
    }

    @Override
    public long bmap(Context ctx, long nodeId, long block, int blocksize) throws FsException {
        Target t = backend(nodeId, Errno.EINVAL, null);
        return t.mount().fs().bmap(ctx, t.ino(), block, blocksize);
    }

    @Override
    public void fallocate(Context ctx, long nodeId, long fh, long offset, long length, int mode) throws FsException {
        Target t = backend(nodeId, Errno.EROFS, null);
        t.mount().fs().fallocate(ctx, t.ino(), fh, offset, length, mode);
    }

    @Override
    public long lseek(Context ctx, long nodeId, long fh, long offset, int whence) throws FsException {
        Target t = backend(nodeId, Errno.EINVAL, "lseek on a pseudo directory");
        return t.mount().fs().lseek(ctx, t.ino(), fh, offset, whence);
    }

    @Override
    public long copyFileRange(Context ctx, long nodeIdIn, long fhIn, long offsetIn, long nodeIdOut, long fhOut,
            long offsetOut, long length, long flags) throws FsException {
        Target in = mounts.target(nodeIdIn);
        Target out = mounts.target(nodeIdOut);
        if (in.pseudo() || out.pseudo() || in.mount() != out.mount()) {
            throw new FsException(Errno.EXDEV);
        }
        return in.mount().fs().copyFileRange(ctx, in.ino(), fhIn, offsetIn, out.ino(), fhOut, offsetOut, length,
                flags);
    }

    @Override
    public void syncfs(Context ctx, long nodeId) throws FsException {
        Target t = mounts.target(nodeId);
        if (!t.pseudo()) {
            t.mount().fs().syncfs(ctx, t.ino());
        }
    }

    @Override
    public CreateReply tmpfile(Context ctx, long parent, int mode, int flags, int umask) throws FsException {
        Target t = backend(parent, Errno.EROFS, null);
        CreateReply r = t.mount().fs().tmpfile(ctx, t.ino(), mode, flags, umask);
        return new CreateReply(t.mount().entry(r.entry()), r.open());
    }
}
