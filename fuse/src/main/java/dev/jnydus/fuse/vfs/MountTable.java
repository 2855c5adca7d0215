package dev.jnydus.fuse.vfs;

import dev.jnydus.common.Errno;
import dev.jnydus.common.FsException;
import dev.jnydus.fuse.api.Attr;
import dev.jnydus.fuse.api.Entry;
import dev.jnydus.fuse.api.FileSystem;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The backends of a {@link Vfs}, by index and by the pseudo directory they are attached on, and
 * the routing of a node id to one of them (see the inode-index packing in {@link Vfs}). Lookups
 * read immutable snapshots without locking; changes are serialised.
 */
final class MountTable {
    private static final Logger LOG = LoggerFactory.getLogger(MountTable.class);

    /** A backend attached at a pseudo directory. */
    record Attached(int index, FileSystem fs, long rootIno, String path, long pseudoIno) {
        /** The node id the kernel uses for the backend's inode {@code ino}. */
        long nodeId(long ino) {
            return Vfs.nodeId(index, ino);
        }

        /** {@code a} as the kernel must see it: st_ino is the packed node id. */
        Attr attr(Attr a, long ino) {
            return new Attr(nodeId(ino), a.size(), a.blocks(), a.atime(), a.atimeNsec(), a.mtime(), a.mtimeNsec(),
                    a.ctime(), a.ctimeNsec(), a.mode(), a.nlink(), a.uid(), a.gid(), a.rdev(), a.blksize(),
                    a.flags());
        }

        /** A backend entry in packed node ids; a negative entry stays as it is. */
        Entry entry(Entry e) {
            if (e.isNegative()) {
                return e;
            }
            return new Entry(nodeId(e.nodeId()), e.generation(), attr(e.attr(), e.nodeId()), e.entryTimeout(),
                    e.attrTimeout());
        }
    }

    /** Where a node id leads: a backend (with its own inode number) or the pseudo filesystem. */
    record Target(Attached mount, long ino) {
        boolean pseudo() {
            return mount == null;
        }
    }

    private final PseudoFs pseudo;
    private final AtomicReferenceArray<Attached> byIndex = new AtomicReferenceArray<>(Vfs.MAX_BACKENDS + 1);
    /** Pseudo inode -> attached backend; replaced as a whole on change. */
    private volatile Map<Long, Attached> byPseudoIno = Map.of();
    private int nextIndex = 1;

    MountTable(PseudoFs pseudo) {
        this.pseudo = pseudo;
    }

    /**
     * Attaches {@code fs} at {@code path} (creating pseudo directories), replacing what was there,
     * with backend index {@code wantIndex}, or the next free one when 0.
     *
     * @throws FsException EBUSY when {@code wantIndex} is taken
     */
    synchronized Attached attach(String path, FileSystem fs, long rootIno, int wantIndex) throws FsException {
        Objects.requireNonNull(fs, "fs");
        if (rootIno <= 0 || rootIno > Vfs.MAX_INO) {
            throw new FsException(Errno.EINVAL, "root inode " + rootIno + " is outside 1.." + Vfs.MAX_INO);
        }
        if (wantIndex > 0 && byIndex.get(wantIndex) != null) {
            throw new FsException(Errno.EBUSY, "backend index " + wantIndex + " is taken by "
                    + byIndex.get(wantIndex).path());
        }
        PseudoFs.Node dir = pseudo.mkdirs(path);
        int index = wantIndex > 0 ? wantIndex : allocateIndex();
        Attached a = new Attached(index, fs, rootIno, normalize(path), dir.ino);
        Map<Long, Attached> m = new HashMap<>(byPseudoIno);
        Attached old = m.put(dir.ino, a);
        if (old != null) {
            byIndex.set(old.index, null);
            LOG.info("backend {} at {} replaced", old.index, old.path);
        }
        byIndex.set(index, a);
        byPseudoIno = Map.copyOf(m);
        LOG.info("attached backend {} at {} (root inode {})", index, a.path, rootIno);
        return a;
    }

    /** Where the search for a free index starts next. */
    synchronized int nextIndex() {
        return nextIndex;
    }

    /** Continues the index search where a predecessor's would have (a takeover). */
    synchronized void nextIndex(int next) {
        nextIndex = next;
    }

    /** Detaches the backend at {@code path}; EINVAL when nothing is attached there. */
    synchronized Attached detach(String path) throws FsException {
        PseudoFs.Node dir = pseudo.walk(path);
        Attached a = dir == null ? null : byPseudoIno.get(dir.ino);
        if (a == null) {
            throw new FsException(Errno.EINVAL, path + " is not a mountpoint");
        }
        Map<Long, Attached> m = new HashMap<>(byPseudoIno);
        m.remove(dir.ino);
        byPseudoIno = Map.copyOf(m);
        byIndex.set(a.index, null);
        LOG.info("detached backend {} from {}", a.index, a.path);
        return a;
    }

    /** The backend attached at {@code path}, or {@code null}. */
    Attached at(String path) throws FsException {
        PseudoFs.Node dir = pseudo.walk(path);
        return dir == null ? null : byPseudoIno.get(dir.ino);
    }

    /** The backend attached on pseudo directory {@code dir}, or {@code null}. */
    Attached on(PseudoFs.Node dir) {
        return byPseudoIno.get(dir.ino);
    }

    /** Every attached backend, in index order. */
    List<Attached> all() {
        List<Attached> out = new ArrayList<>();
        for (int i = 1; i <= Vfs.MAX_BACKENDS; i++) {
            Attached a = byIndex.get(i);
            if (a != null) {
                out.add(a);
            }
        }
        return out;
    }

    /** Where {@code node} leads; ENOENT for a node of a detached backend. */
    Target target(long node) throws FsException {
        int index = (int) (node >>> Vfs.INDEX_SHIFT);
        long ino = node & Vfs.MAX_INO;
        if (index == 0) {
            if (node == PseudoFs.ROOT) {
                Attached a = byPseudoIno.get(PseudoFs.ROOT);
                if (a != null) {
                    return new Target(a, a.rootIno);
                }
            }
            return new Target(null, ino);
        }
        Attached a = byIndex.get(index);
        if (a == null) {
            throw new FsException(Errno.ENOENT, "node " + Long.toHexString(node) + " belongs to no attached backend");
        }
        return new Target(a, ino);
    }

    private int allocateIndex() throws FsException {
        for (int tries = 0; tries < Vfs.MAX_BACKENDS; tries++) {
            int i = nextIndex;
            nextIndex = nextIndex == Vfs.MAX_BACKENDS ? 1 : nextIndex + 1;
            if (byIndex.get(i) == null) {
                return i;
            }
        }
        throw new FsException(Errno.ENOSPC, "all " + Vfs.MAX_BACKENDS + " backend slots are in use");
    }

    private static String normalize(String path) throws FsException {
        List<byte[]> parts = PseudoFs.components(path);
        StringBuilder sb = new StringBuilder();
        for (byte[] p : parts) {
            sb.append('/').append(new String(p, StandardCharsets.UTF_8));
        }
        return sb.length() == 0 ? "/" : sb.toString();
    }
}
