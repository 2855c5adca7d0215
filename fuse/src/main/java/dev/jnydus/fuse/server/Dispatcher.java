package dev.jnydus.fuse.server;

import static dev.jnydus.fuse.server.Args.name;
import static dev.jnydus.fuse.server.Args.need;

import dev.jnydus.common.Errno;
import dev.jnydus.common.FsException;
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
import dev.jnydus.fuse.abi.InterruptIn;
import dev.jnydus.fuse.abi.LinkIn;
import dev.jnydus.fuse.abi.LkIn;
import dev.jnydus.fuse.abi.LkOut;
import dev.jnydus.fuse.abi.LseekIn;
import dev.jnydus.fuse.abi.LseekOut;
import dev.jnydus.fuse.abi.MkdirIn;
import dev.jnydus.fuse.abi.MknodIn;
import dev.jnydus.fuse.abi.Opcode;
import dev.jnydus.fuse.abi.OpenIn;
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
import dev.jnydus.fuse.api.SetAttr;
import dev.jnydus.fuse.transport.FuseChannel;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decodes each operation's arguments, calls the {@link FileSystem} and encodes its answer into
 * the reply buffer: the per-opcode part of the server. A READ the filesystem answers later is
 * handed to {@link DeferredReplies}; INIT to {@link Negotiation}.
 */
final class Dispatcher {
    private static final Logger LOG = LoggerFactory.getLogger(Dispatcher.class);
    private static final int XATTR_SIZE_MAX = 65536;

    /** What the server does after a dispatch: send the reply, send nothing, or leave it to a later answer. */
    enum Outcome { REPLY, NO_REPLY, DEFERRED }

    private final FileSystem fs;
    private final Negotiation negotiation;
    private final DeferredReplies deferred;

    Dispatcher(FileSystem fs, Negotiation negotiation, DeferredReplies deferred) {
        this.fs = fs;
        this.negotiation = negotiation;
        this.deferred = deferred;
    }

    /**
     * Runs one operation; the payload is written at {@code out}'s position. {@code channel} and
     * {@code startNanos} are kept by a request whose answer comes later.
     */
    Outcome dispatch(Opcode op, InHeader h, Context ctx, ByteBuffer in, ByteBuffer out, FuseChannel channel,
            long startNanos) throws IOException {
        long node = h.nodeId();
        switch (op) {
            case INIT:
                negotiation.init(in, out);
                return Outcome.REPLY;
            case DESTROY:
                fs.destroy();
                return Outcome.REPLY;
            case LOOKUP: {
                byte[] name = name(in, "LOOKUP name");
                Entry e = fs.lookup(ctx, node, name);
                Encoding.entryOut(Objects.requireNonNull(e, "lookup returned null")).encode(out);
                return Outcome.REPLY;
            }
            case FORGET: {
                need(in, ForgetIn.SIZE, "fuse_forget_in");
                forget(ctx, node, ForgetIn.decode(in).nlookup());
                return Outcome.NO_REPLY;
            }
            case BATCH_FORGET:
                batchForget(ctx, in);
                return Outcome.NO_REPLY;
            case GETATTR: {
                need(in, GetattrIn.SIZE, "fuse_getattr_in");
                GetattrIn a = GetattrIn.decode(in);
                OptionalLong fh = (a.getattrFlags() & Fuse.GETATTR_FH) != 0 ? OptionalLong.of(a.fh()) : OptionalLong.empty();
                Encoding.attrOut(Objects.requireNonNull(fs.getattr(ctx, node, fh), "getattr returned null")).encode(out);
                return Outcome.REPLY;
            }
            case SETATTR: {
                need(in, SetattrIn.SIZE, "fuse_setattr_in");
                SetattrIn a = SetattrIn.decode(in);
                SetAttr s = new SetAttr(a.valid(), a.fh(), a.size(), a.lockOwner(), a.atime(), a.atimeNsec(), a.mtime(),
                        a.mtimeNsec(), a.ctime(), a.ctimeNsec(), a.mode(), a.uid(), a.gid());
                Encoding.attrOut(Objects.requireNonNull(fs.setattr(ctx, node, s), "setattr returned null")).encode(out);
                return Outcome.REPLY;
            }
            case READLINK: {
                byte[] target = Objects.requireNonNull(fs.readlink(ctx, node), "readlink returned null");
                putPayload(out, target);
                return Outcome.REPLY;
            }
            case SYMLINK: {
                byte[] name = name(in, "SYMLINK name");
                byte[] target = name(in, "SYMLINK target");
                entry(out, fs.symlink(ctx, target, node, name));
                return Outcome.REPLY;
            }
            case MKNOD: {
                need(in, MknodIn.SIZE, "fuse_mknod_in");
                MknodIn a = MknodIn.decode(in);
                entry(out, fs.mknod(ctx, node, name(in, "MKNOD name"), a.mode(), a.rdev(), a.umask()));
                return Outcome.REPLY;
            }
            case MKDIR: {
                need(in, MkdirIn.SIZE, "fuse_mkdir_in");
                MkdirIn a = MkdirIn.decode(in);
                entry(out, fs.mkdir(ctx, node, name(in, "MKDIR name"), a.mode(), a.umask()));
                return Outcome.REPLY;
            }
            case UNLINK:
                fs.unlink(ctx, node, name(in, "UNLINK name"));
                return Outcome.REPLY;
            case RMDIR:
                fs.rmdir(ctx, node, name(in, "RMDIR name"));
                return Outcome.REPLY;
            case RENAME: {
                need(in, RenameIn.SIZE, "fuse_rename_in");
                RenameIn a = RenameIn.decode(in);
                byte[] from = name(in, "RENAME old name");
                fs.rename(ctx, node, from, a.newDir(), name(in, "RENAME new name"), 0);
                return Outcome.REPLY;
            }
            case RENAME2: {
                need(in, Rename2In.SIZE, "fuse_rename2_in");
                Rename2In a = Rename2In.decode(in);
                byte[] from = name(in, "RENAME2 old name");
                fs.rename(ctx, node, from, a.newDir(), name(in, "RENAME2 new name"), a.flags());
                return Outcome.REPLY;
            }
            case LINK: {
                need(in, LinkIn.SIZE, "fuse_link_in");
                LinkIn a = LinkIn.decode(in);
                entry(out, fs.link(ctx, a.oldNodeId(), node, name(in, "LINK name")));
                return Outcome.REPLY;
            }
            case OPEN: {
                need(in, OpenIn.SIZE, "fuse_open_in");
                OpenIn a = OpenIn.decode(in);
                Encoding.openOut(Objects.requireNonNull(fs.open(ctx, node, a.flags()), "open returned null")).encode(out);
                return Outcome.REPLY;
            }
            case OPENDIR: {
                need(in, OpenIn.SIZE, "fuse_open_in");
                OpenIn a = OpenIn.decode(in);
                Encoding.openOut(Objects.requireNonNull(fs.opendir(ctx, node, a.flags()), "opendir returned null"))
                        .encode(out);
                return Outcome.REPLY;
            }
            case READ: {
                need(in, ReadIn.SIZE, "fuse_read_in");
                ReadIn a = ReadIn.decode(in);
                int size = (int) Math.min(Integer.toUnsignedLong(a.size()), out.remaining());
                ByteBuffer dst = out.slice(out.position(), size);
                CompletionStage<ByteBuffer> later = fs.readAsync(ctx, node, a.fh(), a.offset(), dst);
                if (later != null) {
                    deferred.defer(new DeferredReplies.Pending(h.unique(), op, node, ctx, channel, startNanos, size),
                            later);
                    return Outcome.DEFERRED;
                }
                out.position(out.position() + dst.position());
                return Outcome.REPLY;
            }
            case WRITE: {
                need(in, WriteIn.SIZE, "fuse_write_in");
                WriteIn a = WriteIn.decode(in);
                need(in, a.size(), "WRITE data");
                ByteBuffer data = in.slice(in.position(), a.size()).asReadOnlyBuffer();
                int n = fs.write(ctx, node, a.fh(), a.offset(), data, a.writeFlags(), a.flags());
                new WriteOut(n).encode(out);
                return Outcome.REPLY;
            }
            case STATFS:
                Encoding.statfs(Objects.requireNonNull(fs.statfs(ctx, node), "statfs returned null")).encode(out);
                return Outcome.REPLY;
            case RELEASE: {
                need(in, ReleaseIn.SIZE, "fuse_release_in");
                ReleaseIn a = ReleaseIn.decode(in);
                fs.release(ctx, node, a.fh(), a.flags(), a.releaseFlags(), a.lockOwner());
                return Outcome.REPLY;
            }
            case RELEASEDIR: {
                need(in, ReleaseIn.SIZE, "fuse_release_in");
                ReleaseIn a = ReleaseIn.decode(in);
                fs.releasedir(ctx, node, a.fh(), a.flags());
                return Outcome.REPLY;
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
                return Outcome.REPLY;
            }
            case SETXATTR: {
                need(in, SetxattrIn.SIZE, "fuse_setxattr_in");
                SetxattrIn a = SetxattrIn.decode(in);
                byte[] name = name(in, "SETXATTR name");
                need(in, a.size(), "SETXATTR value");
                byte[] value = new byte[a.size()];
                in.get(value);
                fs.setxattr(ctx, node, name, value, a.flags());
                return Outcome.REPLY;
            }
            case GETXATTR: {
                need(in, GetxattrIn.SIZE, "fuse_getxattr_in");
                int size = GetxattrIn.decode(in).size();
                byte[] value = Objects.requireNonNull(fs.getxattr(ctx, node, name(in, "GETXATTR name")),
                        "getxattr returned null");
                xattrReply(out, value, size);
                return Outcome.REPLY;
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
                return Outcome.REPLY;
            }
            case REMOVEXATTR:
                fs.removexattr(ctx, node, name(in, "REMOVEXATTR name"));
                return Outcome.REPLY;
            case FLUSH: {
                need(in, FlushIn.SIZE, "fuse_flush_in");
                FlushIn a = FlushIn.decode(in);
                fs.flush(ctx, node, a.fh(), a.lockOwner());
                return Outcome.REPLY;
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
                return Outcome.REPLY;
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
                return Outcome.REPLY;
            }
            case ACCESS: {
                need(in, AccessIn.SIZE, "fuse_access_in");
                fs.access(ctx, node, AccessIn.decode(in).mask());
                return Outcome.REPLY;
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
                return Outcome.REPLY;
            }
            case INTERRUPT:
                // Only a request answered later can be cut short; one on a worker is answered anyway.
                need(in, InterruptIn.SIZE, "fuse_interrupt_in");
                deferred.interrupt(InterruptIn.decode(in).unique());
                return Outcome.NO_REPLY;
            case BMAP: {
                need(in, BmapIn.SIZE, "fuse_bmap_in");
                BmapIn a = BmapIn.decode(in);
                new BmapOut(fs.bmap(ctx, node, a.block(), a.blocksize())).encode(out);
                return Outcome.REPLY;
            }
            case FALLOCATE: {
                need(in, FallocateIn.SIZE, "fuse_fallocate_in");
                FallocateIn a = FallocateIn.decode(in);
                fs.fallocate(ctx, node, a.fh(), a.offset(), a.length(), a.mode());
                return Outcome.REPLY;
            }
            case LSEEK: {
                need(in, LseekIn.SIZE, "fuse_lseek_in");
                LseekIn a = LseekIn.decode(in);
                new LseekOut(fs.lseek(ctx, node, a.fh(), a.offset(), a.whence())).encode(out);
                return Outcome.REPLY;
            }
            case COPY_FILE_RANGE: {
                need(in, CopyFileRangeIn.SIZE, "fuse_copy_file_range_in");
                CopyFileRangeIn a = CopyFileRangeIn.decode(in);
                long n = fs.copyFileRange(ctx, node, a.fhIn(), a.offIn(), a.nodeIdOut(), a.fhOut(), a.offOut(), a.len(),
                        a.flags());
                new WriteOut((int) Math.min(n, 0xffff_ffffL)).encode(out);
                return Outcome.REPLY;
            }
            case SYNCFS:
                fs.syncfs(ctx, node);
                return Outcome.REPLY;
            case NOTIFY_REPLY:
                // A reply to a retrieve notification; we never send one.
                return Outcome.NO_REPLY;
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
}
