package dev.jnydus.fuse.server;

import dev.jnydus.common.Errno;
import dev.jnydus.common.FsException;
import dev.jnydus.common.Ticker;
import dev.jnydus.fuse.abi.AccessIn;
import dev.jnydus.fuse.abi.BatchForgetIn;
import dev.jnydus.fuse.abi.BmapIn;
import dev.jnydus.fuse.abi.BmapOut;
import dev.jnydus.fuse.abi.CopyFileRangeIn;
import dev.jnydus.fuse.abi.CreateIn;
import dev.jnydus.fuse.abi.FallocateIn;
import dev.jnydus.fuse.abi.FlushIn;
import dev.jnydus.fuse.abi.ForgetIn;
import dev.jnydus.fuse.abi.ForgetOne;
import dev.jnydus.fuse.abi.FsyncIn;
import dev.jnydus.fuse.abi.Fuse;
import dev.jnydus.fuse.abi.FuseProtocolException;
import dev.jnydus.fuse.abi.GetattrIn;
import dev.jnydus.fuse.abi.GetxattrIn;
import dev.jnydus.fuse.abi.GetxattrOut;
import dev.jnydus.fuse.abi.InHeader;
import dev.jnydus.fuse.abi.InitIn;
import dev.jnydus.fuse.abi.InitOut;
import dev.jnydus.fuse.abi.LinkIn;
import dev.jnydus.fuse.abi.LkIn;
import dev.jnydus.fuse.abi.LkOut;
import dev.jnydus.fuse.abi.LseekIn;
import dev.jnydus.fuse.abi.LseekOut;
import dev.jnydus.fuse.abi.MkdirIn;
import dev.jnydus.fuse.abi.MknodIn;
import dev.jnydus.fuse.abi.Opcode;
import dev.jnydus.fuse.abi.OpenIn;
import dev.jnydus.fuse.abi.OutHeader;
import dev.jnydus.fuse.abi.ReadIn;
import dev.jnydus.fuse.abi.ReleaseIn;
import dev.jnydus.fuse.abi.Rename2In;
import dev.jnydus.fuse.abi.RenameIn;
import dev.jnydus.fuse.abi.SetattrIn;
import dev.jnydus.fuse.abi.SetxattrIn;
import dev.jnydus.fuse.abi.WriteIn;
import dev.jnydus.fuse.abi.WriteOut;
import dev.jnydus.fuse.api.Context;
import dev.jnydus.fuse.api.CreateReply;
import dev.jnydus.fuse.api.Entry;
import dev.jnydus.fuse.api.FileLock;
import dev.jnydus.fuse.api.FileSystem;
import dev.jnydus.fuse.api.FsOptions;
import dev.jnydus.fuse.api.SetAttr;
import dev.jnydus.fuse.transport.FuseChannel;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves one {@link FileSystem} over the FUSE protocol: {@link #handle} decodes one request,
 * dispatches it, and sends the reply through the channel it came from; {@link #serve} is the
 * worker loop around it. A server is shared by all workers of a session; each worker brings its
 * own channel and its own pair of buffers ({@link #bufferSize()} bytes each).
 *
 * <p>Replies: a {@link FsException} becomes an error reply with its errno (logged at debug); any
 * other exception from the filesystem becomes EIO (logged at error). The encoder never sends errno
 * 0 or a number outside {@link Errno}: it substitutes EIO and logs. Malformed requests raise
 * {@link FuseProtocolException} after an EIO reply when the header could be read. FORGET,
 * BATCH_FORGET, INTERRUPT and NOTIFY_REPLY get no reply.
 */
public final class Server {
    private static final Logger LOG = LoggerFactory.getLogger(Server.class);

    /** Room for the request header and arguments in front of a full-size WRITE payload. */
    public static final int HEADER_ROOM = 4096;
    /** Pages per request we ask for with MAX_PAGES (1 MiB with 4 KiB pages), as fuse-backend-rs. */
    public static final int DEFAULT_MAX_PAGES = 256;
    private static final int PAGE_SIZE = 4096;
    private static final int XATTR_SIZE_MAX = 65536;

    /** Capabilities the server does not implement, whatever the filesystem asks for. */
    private static final long SERVER_UNSUPPORTED = FsOptions.SPLICE_WRITE | FsOptions.SPLICE_MOVE
            | FsOptions.SPLICE_READ | FsOptions.SETXATTR_EXT | FsOptions.SECURITY_CTX | FsOptions.CREATE_SUPP_GROUP
            | FsOptions.PASSTHROUGH | FsOptions.MAP_ALIGNMENT | FsOptions.HAS_INODE_DAX | FsOptions.INIT_EXT
            | FsOptions.INIT_RESERVED | FsOptions.ALLOW_IDMAP;

    private final FileSystem fs;
    private final int maxPages;
    private final int maxBackground;
    private final int congestionThreshold;
    private final RequestMetrics metrics;
    private final Ticker ticker;
    private final AtomicReference<Negotiated> negotiated = new AtomicReference<>();

    private Server(Builder b) {
        this.fs = b.fs;
        this.maxPages = b.maxPages;
        this.maxBackground = b.maxBackground;
        this.congestionThreshold = b.congestionThreshold;
        this.metrics = b.metrics;
        this.ticker = b.ticker;
        if (b.resumed != null) {
            resume(b.resumed);
        }
    }

    /**
     * Takes a session whose INIT a predecessor answered: the kernel sends INIT once per
     * connection, so the filesystem is told what was settled then, as if it had seen it.
     */
    private void resume(Negotiated n) {
        try {
            Objects.requireNonNull(fs.init(n.enabled()), "init returned null");
        } catch (FsException e) {
            throw new IllegalStateException("the filesystem refused the resumed session's options "
                    + n.enabled().names() + ": " + e.getMessage(), e);
        }
        negotiated.set(n);
        LOG.info("FUSE session resumed: using 7.{}, max_write {}, max_pages {}, enabled {}", n.minor(), n.maxWrite(),
                n.maxPages(), n.enabled().names());
    }

    public static Builder builder(FileSystem fs) {
        return new Builder(fs);
    }

    /** The size of each receive and reply buffer a worker needs: the largest read or write plus headers. */
    public int bufferSize() {
        return maxTransfer() + HEADER_ROOM;
    }

    /** The largest READ/WRITE payload we announce (max_write), in bytes. */
    public int maxTransfer() {
        return maxPages * PAGE_SIZE;
    }

    /** The INIT outcome, once the kernel's INIT was answered. */
    public Optional<Negotiated> negotiated() {
        return Optional.ofNullable(negotiated.get());
    }

    public boolean isInitialized() {
        return negotiated.get() != null;
    }

    /**
     * Serves requests from {@code channel} until it reports the end of the session. Allocates this
     * worker's two direct buffers. Returns normally when the session ends (unmount, abort, stop);
     * throws only when receiving fails otherwise.
     */
    public void serve(FuseChannel channel) throws IOException {
        ByteBuffer in = ByteBuffer.allocateDirect(bufferSize()).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer out = ByteBuffer.allocateDirect(bufferSize()).order(ByteOrder.LITTLE_ENDIAN);
        while (channel.receive(in)) {
            try {
                handle(in, out, channel);
            } catch (FuseProtocolException e) {
                LOG.error("dropped a malformed FUSE request: {}", e.getMessage());
            } catch (FsException e) {
                if (e.errno() == Errno.ENODEV || e.errno() == Errno.ECONNABORTED) {
                    LOG.debug("session ended while sending a reply: {}", e.getMessage());
                    return;
                }
                LOG.error("sending a FUSE reply failed: {}", e.getMessage());
            }
        }
    }

    /**
     * Handles the one request in {@code request[position, limit)}, encoding the reply in
     * {@code reply} (a buffer of at least {@link #bufferSize()} bytes, reused across calls) and
     * sending it through {@code channel}.
     *
     * @throws FuseProtocolException when the request does not parse (an EIO reply was sent when
     *     its header could be read)
     * @throws IOException when the channel fails to send
     */
    public void handle(ByteBuffer request, ByteBuffer reply, FuseChannel channel) throws IOException {
        ByteBuffer in = request.slice().order(ByteOrder.LITTLE_ENDIAN);
        if (in.remaining() < InHeader.SIZE) {
            throw new FuseProtocolException("request of " + in.remaining() + " bytes is shorter than fuse_in_header ("
                    + InHeader.SIZE + ")");
        }
        InHeader h = InHeader.decode(in);
        ByteBuffer out = reply.clear().order(ByteOrder.LITTLE_ENDIAN);
        if (h.len() != in.limit()) {
            sendError(out, channel, h.unique(), Errno.EIO);
            throw new FuseProtocolException("header says " + h.len() + " bytes but the request has " + in.limit()
                    + " (opcode " + h.opcode() + ", unique " + h.unique() + ")");
        }
        Opcode op = Opcode.of(h.opcode());
        if (op == null) {
            LOG.debug("unknown opcode {} (unique {}): ENOSYS", h.opcode(), h.unique());
            sendError(out, channel, h.unique(), Errno.ENOSYS);
            return;
        }
        Context ctx = new Context(h.unique(), h.uid(), h.gid(), h.pid());
        out.position(OutHeader.SIZE);
        try {
            metrics.begin(op, h.nodeId(), h.unique());
        } catch (RuntimeException e) {
            LOG.warn("request metrics hook failed", e);
        }
        long start = ticker.nanos();
        Errno error = null;
        FuseProtocolException malformed = null;
        boolean replies = !op.noReply();
        try {
            replies = dispatch(op, h, ctx, in, out) && replies;
        } catch (FsException e) {
            error = checkedErrno(e.errno(), op, e);
            LOG.debug("{} node {} (unique {}): {}", op, h.nodeId(), h.unique(), e.getMessage());
        } catch (FuseProtocolException e) {
            error = Errno.EIO;
            malformed = e;
        } catch (RuntimeException | OutOfMemoryError | StackOverflowError e) {
            // A bug or exhaustion in the filesystem: the caller still gets an answer, never a hang.
            error = e instanceof OutOfMemoryError ? Errno.ENOMEM : Errno.EIO;
            LOG.error("{} node {} (unique {}) failed in the filesystem", op, h.nodeId(), h.unique(), e);
        }
        try {
            metrics.record(op, h.nodeId(), ticker.nanos() - start, error == null ? 0 : error.number());
        } catch (RuntimeException e) {
            LOG.warn("request metrics hook failed", e);
        }
        if (replies) {
            if (error != null) {
                sendError(out, channel, h.unique(), error);
            } else {
                int len = out.position();
                out.putInt(0, len).putInt(4, 0).putLong(8, h.unique());
                channel.send(out.flip());
            }
        }
        if (malformed != null) {
            throw new FuseProtocolException(op + ": " + malformed.getMessage());
        }
    }

    /** Keeps an errno we may send; anything else becomes EIO with a log line. */
    private static Errno checkedErrno(Errno e, Opcode op, FsException cause) {
        if (e == null || Errno.of(e.number()) != e) {
            LOG.error("{}: filesystem raised an exception without a valid errno ({}); replying EIO", op, e, cause);
            return Errno.EIO;
        }
        return e;
    }

    private static void sendError(ByteBuffer out, FuseChannel channel, long unique, Errno errno) throws IOException {
        int n = errno == null ? 0 : errno.number();
        if (n <= 0 || n >= 4096 || Errno.of(n) != errno) {
            LOG.error("refusing to send errno {} (unique {}); sending EIO", errno, unique);
            n = Errno.EIO.number();
        }
        out.clear();
        new OutHeader(OutHeader.SIZE, -n, unique).encode(out);
        channel.send(out.flip());
    }

    // ------------------------------------------------------------------ decoding helpers

    private static void need(ByteBuffer in, int size, String struct) throws FuseProtocolException {
        if (in.remaining() < size) {
            throw new FuseProtocolException(struct + " needs " + size + " bytes, the request has " + in.remaining());
        }
    }

    /** Reads a NUL-terminated name, consuming the NUL. */
    private static byte[] name(ByteBuffer in, String what) throws FuseProtocolException {
        int start = in.position();
        int end = start;
        int limit = in.limit();
        while (end < limit && in.get(end) != 0) {
            end++;
        }
        if (end == limit) {
            throw new FuseProtocolException(what + " without its terminating NUL (" + (end - start) + " bytes)");
        }
        byte[] n = new byte[end - start];
        in.get(n);
        in.get();
        return n;
    }

    // ------------------------------------------------------------------ dispatch

    /** Runs one operation; the payload is written at {@code out}'s position. Returns false for "no reply". */
    private boolean dispatch(Opcode op, InHeader h, Context ctx, ByteBuffer in, ByteBuffer out) throws IOException {
        long node = h.nodeId();
        switch (op) {
            case INIT:
                return init(h, in, out);
            case DESTROY:
                fs.destroy();
                return true;
            case LOOKUP: {
                byte[] name = name(in, "LOOKUP name");
                Entry e = fs.lookup(ctx, node, name);
                Encoding.entryOut(Objects.requireNonNull(e, "lookup returned null")).encode(out);
                return true;
            }
            case FORGET: {
                need(in, ForgetIn.SIZE, "fuse_forget_in");
                forget(ctx, node, ForgetIn.decode(in).nlookup());
                return false;
            }
            case BATCH_FORGET:
                batchForget(ctx, in);
                return false;
            case GETATTR: {
                need(in, GetattrIn.SIZE, "fuse_getattr_in");
                GetattrIn a = GetattrIn.decode(in);
                OptionalLong fh = (a.getattrFlags() & Fuse.GETATTR_FH) != 0 ? OptionalLong.of(a.fh()) : OptionalLong.empty();
                Encoding.attrOut(Objects.requireNonNull(fs.getattr(ctx, node, fh), "getattr returned null")).encode(out);
                return true;
            }
            case SETATTR: {
                need(in, SetattrIn.SIZE, "fuse_setattr_in");
                SetattrIn a = SetattrIn.decode(in);
                SetAttr s = new SetAttr(a.valid(), a.fh(), a.size(), a.lockOwner(), a.atime(), a.atimeNsec(), a.mtime(),
                        a.mtimeNsec(), a.ctime(), a.ctimeNsec(), a.mode(), a.uid(), a.gid());
                Encoding.attrOut(Objects.requireNonNull(fs.setattr(ctx, node, s), "setattr returned null")).encode(out);
                return true;
            }
            case READLINK: {
                byte[] target = Objects.requireNonNull(fs.readlink(ctx, node), "readlink returned null");
                putPayload(out, target);
                return true;
            }
            case SYMLINK: {
                byte[] name = name(in, "SYMLINK name");
                byte[] target = name(in, "SYMLINK target");
                entry(out, fs.symlink(ctx, target, node, name));
                return true;
            }
            case MKNOD: {
                need(in, MknodIn.SIZE, "fuse_mknod_in");
                MknodIn a = MknodIn.decode(in);
                entry(out, fs.mknod(ctx, node, name(in, "MKNOD name"), a.mode(), a.rdev(), a.umask()));
                return true;
            }
            case MKDIR: {
                need(in, MkdirIn.SIZE, "fuse_mkdir_in");
                MkdirIn a = MkdirIn.decode(in);
                entry(out, fs.mkdir(ctx, node, name(in, "MKDIR name"), a.mode(), a.umask()));
                return true;
            }
            case UNLINK:
                fs.unlink(ctx, node, name(in, "UNLINK name"));
                return true;
            case RMDIR:
                fs.rmdir(ctx, node, name(in, "RMDIR name"));
                return true;
            case RENAME: {
                need(in, RenameIn.SIZE, "fuse_rename_in");
                RenameIn a = RenameIn.decode(in);
                byte[] from = name(in, "RENAME old name");
                fs.rename(ctx, node, from, a.newDir(), name(in, "RENAME new name"), 0);
                return true;
            }
            case RENAME2: {
                need(in, Rename2In.SIZE, "fuse_rename2_in");
                Rename2In a = Rename2In.decode(in);
                byte[] from = name(in, "RENAME2 old name");
                fs.rename(ctx, node, from, a.newDir(), name(in, "RENAME2 new name"), a.flags());
                return true;
            }
            case LINK: {
                need(in, LinkIn.SIZE, "fuse_link_in");
                LinkIn a = LinkIn.decode(in);
                entry(out, fs.link(ctx, a.oldNodeId(), node, name(in, "LINK name")));
                return true;
            }
            case OPEN: {
                need(in, OpenIn.SIZE, "fuse_open_in");
                OpenIn a = OpenIn.decode(in);
                Encoding.openOut(Objects.requireNonNull(fs.open(ctx, node, a.flags()), "open returned null")).encode(out);
                return true;
            }
            case OPENDIR: {
                need(in, OpenIn.SIZE, "fuse_open_in");
                OpenIn a = OpenIn.decode(in);
                Encoding.openOut(Objects.requireNonNull(fs.opendir(ctx, node, a.flags()), "opendir returned null"))
                        .encode(out);
                return true;
            }
            case READ: {
                need(in, ReadIn.SIZE, "fuse_read_in");
                ReadIn a = ReadIn.decode(in);
                int size = (int) Math.min(Integer.toUnsignedLong(a.size()), out.remaining());
                ByteBuffer dst = out.slice(out.position(), size);
                fs.read(ctx, node, a.fh(), a.offset(), dst);
                out.position(out.position() + dst.position());
                return true;
            }
            case WRITE: {
                need(in, WriteIn.SIZE, "fuse_write_in");
                WriteIn a = WriteIn.decode(in);
                need(in, a.size(), "WRITE data");
                ByteBuffer data = in.slice(in.position(), a.size()).asReadOnlyBuffer();
                int n = fs.write(ctx, node, a.fh(), a.offset(), data, a.writeFlags(), a.flags());
                new WriteOut(n).encode(out);
                return true;
            }
            case STATFS:
                Encoding.statfs(Objects.requireNonNull(fs.statfs(ctx, node), "statfs returned null")).encode(out);
                return true;
            case RELEASE: {
                need(in, ReleaseIn.SIZE, "fuse_release_in");
                ReleaseIn a = ReleaseIn.decode(in);
                fs.release(ctx, node, a.fh(), a.flags(), a.releaseFlags(), a.lockOwner());
                return true;
            }
            case RELEASEDIR: {
                need(in, ReleaseIn.SIZE, "fuse_release_in");
                ReleaseIn a = ReleaseIn.decode(in);
                fs.releasedir(ctx, node, a.fh(), a.flags());
                return true;
            }
            case FSYNC:
            case FSYNCDIR: {
                need(in, FsyncIn.SIZE, "fuse_fsync_in");
                FsyncIn a = FsyncIn.decode(in);
                boolean datasync = (a.fsyncFlags() & Fuse.FSYNC_FDATASYNC) != 0;
                if (op == Opcode.FSYNC) {
                    fs.fsync(ctx, node, a.fh(), datasync);
                } else {
                    fs.fsyncdir(ctx, node, a.fh(), datasync);
                }
                return true;
            }
            case SETXATTR: {
                need(in, SetxattrIn.SIZE, "fuse_setxattr_in");
                SetxattrIn a = SetxattrIn.decode(in);
                byte[] name = name(in, "SETXATTR name");
                need(in, a.size(), "SETXATTR value");
                byte[] value = new byte[a.size()];
                in.get(value);
                fs.setxattr(ctx, node, name, value, a.flags());
                return true;
            }
            case GETXATTR: {
                need(in, GetxattrIn.SIZE, "fuse_getxattr_in");
                int size = GetxattrIn.decode(in).size();
                byte[] value = Objects.requireNonNull(fs.getxattr(ctx, node, name(in, "GETXATTR name")),
                        "getxattr returned null");
                xattrReply(out, value, size);
                return true;
            }
            case LISTXATTR: {
                need(in, GetxattrIn.SIZE, "fuse_getxattr_in");
                int size = GetxattrIn.decode(in).size();
                List<byte[]> names = Objects.requireNonNull(fs.listxattr(ctx, node), "listxattr returned null");
                int total = 0;
                for (byte[] n : names) {
                    total += n.length + 1;
                }
                byte[] joined = new byte[total];
                int p = 0;
                for (byte[] n : names) {
                    System.arraycopy(n, 0, joined, p, n.length);
                    p += n.length + 1;
                }
                xattrReply(out, joined, size);
                return true;
            }
            case REMOVEXATTR:
                fs.removexattr(ctx, node, name(in, "REMOVEXATTR name"));
                return true;
            case FLUSH: {
                need(in, FlushIn.SIZE, "fuse_flush_in");
                FlushIn a = FlushIn.decode(in);
                fs.flush(ctx, node, a.fh(), a.lockOwner());
                return true;
            }
            case READDIR:
            case READDIRPLUS: {
                need(in, ReadIn.SIZE, "fuse_read_in");
                ReadIn a = ReadIn.decode(in);
                int size = (int) Math.min(Integer.toUnsignedLong(a.size()), out.remaining());
                ByteBuffer dst = out.slice(out.position(), size).order(ByteOrder.LITTLE_ENDIAN);
                DirEncoder enc = new DirEncoder(dst);
                if (op == Opcode.READDIR) {
                    fs.readdir(ctx, node, a.fh(), a.offset(), enc);
                } else {
                    fs.readdirplus(ctx, node, a.fh(), a.offset(), enc);
                }
                out.position(out.position() + dst.position());
                return true;
            }
            case GETLK:
            case SETLK:
            case SETLKW: {
                need(in, LkIn.SIZE, "fuse_lk_in");
                LkIn a = LkIn.decode(in);
                FileLock lock = new FileLock(a.start(), a.end(), a.type(), a.pid());
                if (op == Opcode.GETLK) {
                    FileLock r = Objects.requireNonNull(fs.getlk(ctx, node, a.fh(), a.owner(), lock, a.lkFlags()),
                            "getlk returned null");
                    new LkOut(r.start(), r.end(), r.type(), r.pid()).encode(out);
                } else {
                    fs.setlk(ctx, node, a.fh(), a.owner(), lock, a.lkFlags(), op == Opcode.SETLKW);
                }
                return true;
            }
            case ACCESS: {
                need(in, AccessIn.SIZE, "fuse_access_in");
                fs.access(ctx, node, AccessIn.decode(in).mask());
                return true;
            }
            case CREATE:
            case TMPFILE: {
                need(in, CreateIn.SIZE, "fuse_create_in");
                CreateIn a = CreateIn.decode(in);
                CreateReply r;
                if (op == Opcode.CREATE) {
                    r = fs.create(ctx, node, name(in, "CREATE name"), a.mode(), a.flags(), a.umask());
                } else {
                    r = fs.tmpfile(ctx, node, a.mode(), a.flags(), a.umask());
                }
                Objects.requireNonNull(r, "create returned null");
                Encoding.entryOut(r.entry()).encode(out);
                Encoding.openOut(r.open()).encode(out);
                return true;
            }
            case INTERRUPT:
                // We never block a request waiting for something an interrupt could cancel, so the
                // original request will be answered anyway; nothing to do and no reply.
                LOG.trace("interrupt for a request (unique {}) ignored", h.unique());
                return false;
            case BMAP: {
                need(in, BmapIn.SIZE, "fuse_bmap_in");
                BmapIn a = BmapIn.decode(in);
                new BmapOut(fs.bmap(ctx, node, a.block(), a.blocksize())).encode(out);
                return true;
            }
            case FALLOCATE: {
                need(in, FallocateIn.SIZE, "fuse_fallocate_in");
                FallocateIn a = FallocateIn.decode(in);
                fs.fallocate(ctx, node, a.fh(), a.offset(), a.length(), a.mode());
                return true;
            }
            case LSEEK: {
                need(in, LseekIn.SIZE, "fuse_lseek_in");
                LseekIn a = LseekIn.decode(in);
                new LseekOut(fs.lseek(ctx, node, a.fh(), a.offset(), a.whence())).encode(out);
                return true;
            }
            case COPY_FILE_RANGE: {
                need(in, CopyFileRangeIn.SIZE, "fuse_copy_file_range_in");
                CopyFileRangeIn a = CopyFileRangeIn.decode(in);
                long n = fs.copyFileRange(ctx, node, a.fhIn(), a.offIn(), a.nodeIdOut(), a.fhOut(), a.offOut(), a.len(),
                        a.flags());
                new WriteOut((int) Math.min(n, 0xffff_ffffL)).encode(out);
                return true;
            }
            case SYNCFS:
                fs.syncfs(ctx, node);
                return true;
            case NOTIFY_REPLY:
                // A reply to a retrieve notification; we never send one.
                return false;
            case IOCTL:
            case POLL:
            case SETUPMAPPING:
            case REMOVEMAPPING:
            case STATX:
            default:
                throw new FsException(Errno.ENOSYS);
        }
    }

    private void forget(Context ctx, long node, long nlookup) {
        try {
            fs.forget(ctx, node, nlookup);
        } catch (RuntimeException e) {
            LOG.error("forget of node {} ({}) failed in the filesystem", node, nlookup, e);
        }
    }

    private void batchForget(Context ctx, ByteBuffer in) throws FuseProtocolException {
        need(in, BatchForgetIn.SIZE, "fuse_batch_forget_in");
        int count = BatchForgetIn.decode(in).count();
        if (count < 0 || (long) count * ForgetOne.SIZE > in.remaining()) {
            throw new FuseProtocolException("BATCH_FORGET of " + Integer.toUnsignedString(count) + " nodes carries "
                    + in.remaining() + " bytes");
        }
        long[] nodes = new long[count];
        long[] counts = new long[count];
        for (int i = 0; i < count; i++) {
            ForgetOne f = ForgetOne.decode(in);
            nodes[i] = f.nodeId();
            counts[i] = f.nlookup();
        }
        try {
            fs.batchForget(ctx, nodes, counts);
        } catch (RuntimeException e) {
            LOG.error("batch forget of {} nodes failed in the filesystem", count, e);
        }
    }

    private static void entry(ByteBuffer out, Entry e) {
        Encoding.entryOut(Objects.requireNonNull(e, "filesystem returned a null entry")).encode(out);
    }

    private static void putPayload(ByteBuffer out, byte[] data) throws FsException {
        if (data.length > out.remaining()) {
            throw new FsException(Errno.E2BIG, "reply of " + data.length + " bytes does not fit");
        }
        out.put(data);
    }

    /** The xattr size protocol: size 0 asks for the length; a buffer too small is ERANGE. */
    private static void xattrReply(ByteBuffer out, byte[] value, int size) throws FsException {
        if (value.length > XATTR_SIZE_MAX) {
            throw new FsException(Errno.E2BIG, "xattr data of " + value.length + " bytes");
        }
        if (size == 0) {
            new GetxattrOut(value.length).encode(out);
        } else if (Integer.toUnsignedLong(size) < value.length) {
            throw new FsException(Errno.ERANGE, "xattr data of " + value.length + " bytes, caller has " + size);
        } else {
            putPayload(out, value);
        }
    }

    private boolean init(InHeader h, ByteBuffer in, ByteBuffer out) throws IOException {
        need(in, InitIn.COMPAT_SIZE, "fuse_init_in");
        int major = in.getInt(in.position());
        int minor = in.getInt(in.position() + 4);
        int maxReadahead = in.getInt(in.position() + 8);
        long flags = Integer.toUnsignedLong(in.getInt(in.position() + 12));
        if (major < Fuse.KERNEL_VERSION
                || (major == Fuse.KERNEL_VERSION && minor < Fuse.MIN_KERNEL_MINOR_VERSION)) {
            LOG.error("unsupported FUSE protocol {}.{} (need {}.{} or later)", major, minor, Fuse.KERNEL_VERSION,
                    Fuse.MIN_KERNEL_MINOR_VERSION);
            throw new FsException(Errno.EPROTO, "FUSE protocol " + major + "." + minor);
        }
        if (major > Fuse.KERNEL_VERSION) {
            // Tell the kernel our major; it answers with a new INIT in that major.
            out.putInt(Fuse.KERNEL_VERSION).putInt(Fuse.KERNEL_MINOR_VERSION);
            return true;
        }
        if ((flags & FsOptions.INIT_EXT) != 0) {
            if (in.remaining() >= 20) {
                flags |= Integer.toUnsignedLong(in.getInt(in.position() + 16)) << 32;
            } else {
                flags &= ~FsOptions.INIT_EXT;
            }
        }
        FsOptions capable = FsOptions.of(flags);
        FsOptions want = Objects.requireNonNull(fs.init(capable), "init returned null");
        long enabled = flags & (want.bits() | FsOptions.MAX_PAGES | FsOptions.BIG_WRITES) & ~SERVER_UNSUPPORTED;
        if ((enabled >>> 32) != 0) {
            enabled |= FsOptions.INIT_EXT;
        }
        int negotiatedMinor = Math.min(minor, Fuse.KERNEL_MINOR_VERSION);
        int maxWrite = (enabled & (FsOptions.MAX_PAGES | FsOptions.BIG_WRITES)) != 0
                ? maxTransfer() : Fuse.MIN_READ_BUFFER - HEADER_ROOM;
        int pages = (enabled & FsOptions.MAX_PAGES) != 0 ? maxPages : 0;
        InitOut reply = new InitOut(Fuse.KERNEL_VERSION, Fuse.KERNEL_MINOR_VERSION, maxReadahead, (int) enabled,
                maxBackground, congestionThreshold, maxWrite, 1, pages, 0, (int) (enabled >>> 32), 0);
        int start = out.position();
        reply.encode(out);
        if (negotiatedMinor < 5) {
            out.position(start + InitOut.COMPAT_SIZE);
        } else if (negotiatedMinor < 23) {
            out.position(start + InitOut.COMPAT_22_SIZE);
        }
        Negotiated n = new Negotiated(Fuse.KERNEL_VERSION, negotiatedMinor, FsOptions.of(enabled), capable,
                maxReadahead, maxWrite, pages);
        negotiated.set(n);
        LOG.info("FUSE INIT: kernel {}.{}, using 7.{}, max_write {}, max_pages {}, enabled {}", major, minor,
                negotiatedMinor, maxWrite, pages, n.enabled().names());
        return true;
    }

    /** Configures a {@link Server}; every setting has the upstream default. */
    public static final class Builder {
        private final FileSystem fs;
        private int maxPages = DEFAULT_MAX_PAGES;
        private int maxBackground = 0xffff;
        private int congestionThreshold = 0xffff / 4 * 3;
        private RequestMetrics metrics = RequestMetrics.NONE;
        private Ticker ticker = Ticker.system();
        private Negotiated resumed;

        private Builder(FileSystem fs) {
            this.fs = Objects.requireNonNull(fs, "fs");
        }

        /**
         * Pages per READ/WRITE (FUSE_MAX_PAGES), 1..256 (the kernel's limit); sets {@link #bufferSize}.
         * Default 256 (1 MiB).
         */
        public Builder maxPages(int pages) {
            if (pages < 1 || pages > 256) {
                throw new IllegalArgumentException("maxPages must be 1..256, got " + pages);
            }
            this.maxPages = pages;
            return this;
        }

        /**
         * Background (asynchronous: readahead, async direct I/O) requests the kernel may queue, and
         * the level at which it reports congestion. Defaults 65535 and 49149, as fuse-backend-rs.
         */
        public Builder background(int maxBackground, int congestionThreshold) {
            if (maxBackground < 1 || maxBackground > 0xffff || congestionThreshold < 0
                    || congestionThreshold > maxBackground) {
                throw new IllegalArgumentException("need 1 <= maxBackground <= 65535 and 0 <= congestionThreshold <= "
                        + "maxBackground, got " + maxBackground + " and " + congestionThreshold);
            }
            this.maxBackground = maxBackground;
            this.congestionThreshold = congestionThreshold;
            return this;
        }

        public Builder metrics(RequestMetrics metrics) {
            this.metrics = Objects.requireNonNull(metrics, "metrics");
            return this;
        }

        /** The clock for {@link RequestMetrics} latencies. */
        public Builder ticker(Ticker ticker) {
            this.ticker = Objects.requireNonNull(ticker, "ticker");
            return this;
        }

        /**
         * Serves a connection whose INIT was answered by a predecessor (hot upgrade, failover), with
         * what was negotiated then; the server counts as initialized from the start.
         */
        public Builder resumed(Negotiated negotiated) {
            this.resumed = Objects.requireNonNull(negotiated, "negotiated");
            return this;
        }

        public Server build() {
            return new Server(this);
        }
    }
}
