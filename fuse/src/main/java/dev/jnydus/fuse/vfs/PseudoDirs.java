package dev.jnydus.fuse.vfs;

import dev.jnydus.common.Errno;
import dev.jnydus.common.FsException;
import dev.jnydus.fuse.api.Attr;
import dev.jnydus.fuse.api.AttrReply;
import dev.jnydus.fuse.api.Context;
import dev.jnydus.fuse.api.DirPlusSink;
import dev.jnydus.fuse.api.DirSink;
import dev.jnydus.fuse.api.Entry;
import dev.jnydus.fuse.api.OpenReply;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.OptionalLong;

/**
 * The pseudo directories of a {@link Vfs} as the kernel sees them: read-only directories mode
 * 0777 with the time of the request, cached for ever, whose entries lead either to further pseudo
 * directories or to the root of the backend attached there.
 */
final class PseudoDirs {
    private final PseudoFs tree;
    private final MountTable mounts;
    private final Clock clock;

    PseudoDirs(PseudoFs tree, MountTable mounts, Clock clock) {
        this.tree = tree;
        this.mounts = mounts;
        this.clock = clock;
    }

    PseudoFs.Node node(long ino) throws FsException {
        PseudoFs.Node n = tree.node(ino);
        if (n == null) {
            throw new FsException(Errno.ENOENT, "no pseudo directory " + ino);
        }
        return n;
    }

    private Attr attr(long ino) {
        Instant now = clock.instant();
        return Attr.builder().ino(ino).mode(Attr.S_IFDIR | 0777).nlink(2).times(now.getEpochSecond(), now.getNano())
                .blksize(4096).build();
    }

    AttrReply getattr(long ino) throws FsException {
        node(ino);
        return new AttrReply(attr(ino), Vfs.PSEUDO_TIMEOUT);
    }

    Entry lookup(Context ctx, long dirIno, byte[] name) throws FsException {
        PseudoFs.Node dir = node(dirIno);
        PseudoFs.Node n;
        if (name.length == 1 && name[0] == '.') {
            n = dir;
        } else if (name.length == 2 && name[0] == '.' && name[1] == '.') {
            n = node(dir.parent);
        } else {
            n = PseudoFs.child(dir, name);
        }
        if (n == null) {
            throw new FsException(Errno.ENOENT);
        }
        return entryOf(ctx, n);
    }

    /** The entry for a pseudo directory, or for the backend root when one is attached on it. */
    private Entry entryOf(Context ctx, PseudoFs.Node n) throws FsException {
        MountTable.Attached a = mounts.on(n);
        if (a == null) {
            return new Entry(n.ino, 0, attr(n.ino), Vfs.PSEUDO_TIMEOUT, Vfs.PSEUDO_TIMEOUT);
        }
        AttrReply r = a.fs().getattr(ctx, a.rootIno(), OptionalLong.empty());
        return new Entry(a.nodeId(a.rootIno()), 0, a.attr(r.attr(), a.rootIno()), r.timeout(), r.timeout());
    }

    private long direntIno(PseudoFs.Node n) {
        MountTable.Attached a = mounts.on(n);
        return a == null ? n.ino : a.nodeId(a.rootIno());
    }

    OpenReply opendir(long ino) throws FsException {
        node(ino);
        return new OpenReply(0, OpenReply.KEEP_CACHE | OpenReply.CACHE_DIR);
    }

    void access(long ino, int mask) throws FsException {
        node(ino);
        if ((mask & 2) != 0) {
            throw new FsException(Errno.EROFS);
        }
    }

    void readdir(long dirIno, long offset, DirSink sink) throws FsException {
        list(node(dirIno), offset, (name, node, next) -> sink.add(name, direntIno(node), Attr.S_IFDIR >>> 12, next));
    }

    void readdirplus(Context ctx, long dirIno, long offset, DirPlusSink sink) throws FsException {
        list(node(dirIno), offset, (name, node, next) -> sink.add(name, next, entryOf(ctx, node)));
    }

    @FunctionalInterface
    private interface Visitor {
        boolean add(byte[] name, PseudoFs.Node node, long nextOffset) throws FsException;
    }

    /** ".", "..", then the children; offset k continues after the k-th entry. */
    private void list(PseudoFs.Node dir, long offset, Visitor v) throws FsException {
        List<PseudoFs.Node> kids = dir.children;
        long total = kids.size() + 2L;
        for (long i = Math.max(0, offset); i < total; i++) {
            boolean more;
            if (i == 0) {
                more = v.add(new byte[] {'.'}, dir, 1);
            } else if (i == 1) {
                more = v.add(new byte[] {'.', '.'}, node(dir.parent), 2);
            } else {
                PseudoFs.Node c = kids.get((int) (i - 2));
                more = v.add(c.name, c, i + 1);
            }
            if (!more) {
                return;
            }
        }
    }
}
