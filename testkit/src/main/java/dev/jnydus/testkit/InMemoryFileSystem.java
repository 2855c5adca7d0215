package dev.jnydus.testkit;

import dev.jnydus.common.Errno;
import dev.jnydus.common.FsException;
import dev.jnydus.fuse.api.Attr;
import dev.jnydus.fuse.api.AttrReply;
import dev.jnydus.fuse.api.Context;
import dev.jnydus.fuse.api.DirPlusSink;
import dev.jnydus.fuse.api.DirSink;
import dev.jnydus.fuse.api.Entry;
import dev.jnydus.fuse.api.OpenReply;
import dev.jnydus.fuse.api.ReadOnlyFileSystem;
import dev.jnydus.fuse.api.StatFs;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A small read-only tree held in memory, served through {@link ReadOnlyFileSystem}: directories,
 * regular files (sparse ones too: data extents with holes between them), symlinks and xattrs.
 * Node ids are assigned in build order (root = 1) and double as st_ino. It keeps the lookup count
 * of every node and the set of open handles so that tests can check the kernel's bookkeeping.
 * Thread-safe once built.
 */
public final class InMemoryFileSystem implements ReadOnlyFileSystem {
    private static final int SEEK_DATA = 3;
    private static final int SEEK_HOLE = 4;
    private static final byte[] DOT = {'.'};
    private static final byte[] DOTDOT = {'.', '.'};
    private static final byte[] ZEROS = new byte[65536];

    private final Map<Long, Node> nodes;
    private final Duration timeout;
    private final Map<Long, AtomicLong> lookups = new ConcurrentHashMap<>();
    private final Map<Long, Long> handles = new ConcurrentHashMap<>();
    private final AtomicLong nextFh = new AtomicLong(100);

    private static final class Node {
        final long id;
        final String name;
        final long parent;
        final int mode;
        final long size;
        final byte[] target;
        final NavigableMap<Long, byte[]> extents;
        final LinkedHashMap<String, Node> children = new LinkedHashMap<>();
        final LinkedHashMap<String, byte[]> xattrs = new LinkedHashMap<>();
        final int uid;
        final int gid;

        Node(long id, String name, long parent, int mode, long size, byte[] target, NavigableMap<Long, byte[]> extents,
                int uid, int gid) {
            this.id = id;
            this.name = name;
            this.parent = parent;
            this.mode = mode;
            this.size = size;
            this.target = target;
            this.extents = extents;
            this.uid = uid;
            this.gid = gid;
        }

        boolean isDir() {
            return (mode & Attr.S_IFMT) == Attr.S_IFDIR;
        }

        /** The node at {@code path} ("/a/b", "a/b") below this one, or {@code null}. */
        Node resolve(String path) {
            Node n = this;
            for (String part : path.split("/")) {
                if (part.isEmpty()) {
                    continue;
                }
                n = n.children.get(part);
                if (n == null) {
                    return null;
                }
            }
            return n;
        }
    }

    private InMemoryFileSystem(Builder b) {
        this.nodes = Map.copyOf(b.nodes);
        this.timeout = b.timeout;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The current lookup count of a node (lookups and readdirplus entries minus forgets). */
    public long lookupCount(long nodeId) {
        AtomicLong c = lookups.get(nodeId);
        return c == null ? 0 : c.get();
    }

    /** Sum of all lookup counts. */
    public long totalLookupCount() {
        return lookups.values().stream().mapToLong(AtomicLong::get).sum();
    }

    /** Open file and directory handles not yet released. */
    public int openHandles() {
        return handles.size();
    }

    /** The node id of a path ("/a/b"), for tests. */
    public long nodeId(String path) {
        Node n = nodes.get(1L).resolve(path);
        if (n == null) {
            throw new IllegalArgumentException("no " + path);
        }
        return n.id;
    }

    private Node node(long id) throws FsException {
        Node n = nodes.get(id);
        if (n == null) {
            throw new FsException(Errno.ENOENT, "no node " + id);
        }
        return n;
    }

    private Attr attr(Node n) {
        int nlink = n.isDir() ? 2 + (int) n.children.values().stream().filter(Node::isDir).count() : 1;
        return Attr.builder().ino(n.id).size(n.size).blocks(blocks(n)).mode(n.mode).nlink(nlink).uid(n.uid)
                .gid(n.gid).times(1_700_000_000L, 123_456_789).blksize(4096).build();
    }

    private static long blocks(Node n) {
        long bytes = 0;
        if (n.extents != null) {
            for (byte[] e : n.extents.values()) {
                bytes += e.length;
            }
        }
        return (bytes + 511) / 512;
    }

    private Entry entry(Node n) {
        return new Entry(n.id, 1, attr(n), timeout, timeout);
    }

    private void countLookup(long id) {
        lookups.computeIfAbsent(id, k -> new AtomicLong()).incrementAndGet();
    }

    @Override
    public Entry lookup(Context ctx, long parent, byte[] name) throws FsException {
        Node dir = node(parent);
        if (!dir.isDir()) {
            throw new FsException(Errno.ENOTDIR);
        }
        Node child = dir.children.get(new String(name, StandardCharsets.UTF_8));
        if (child == null) {
            throw new FsException(Errno.ENOENT);
        }
        countLookup(child.id);
        return entry(child);
    }

    @Override
    public void forget(Context ctx, long nodeId, long nlookup) {
        AtomicLong c = lookups.get(nodeId);
        if (c != null) {
            c.addAndGet(-nlookup);
        }
    }

    @Override
    public AttrReply getattr(Context ctx, long nodeId, OptionalLong fh) throws FsException {
        return new AttrReply(attr(node(nodeId)), timeout);
    }

    @Override
    public byte[] readlink(Context ctx, long nodeId) throws FsException {
        Node n = node(nodeId);
        if (n.target == null) {
            throw new FsException(Errno.EINVAL);
        }
        return n.target.clone();
    }

    @Override
    public OpenReply open(Context ctx, long nodeId, int flags) throws FsException {
        Node n = node(nodeId);
        if (n.isDir()) {
            throw new FsException(Errno.EISDIR);
        }
        if ((flags & 3) != 0) {
            throw new FsException(Errno.EROFS);
        }
        long fh = nextFh.incrementAndGet();
        handles.put(fh, nodeId);
        return new OpenReply(fh, OpenReply.KEEP_CACHE);
    }

    @Override
    public void release(Context ctx, long nodeId, long fh, int flags, int releaseFlags, long lockOwner) {
        handles.remove(fh);
    }

    @Override
    public void flush(Context ctx, long nodeId, long fh, long lockOwner) {
    }

    @Override
    public void read(Context ctx, long nodeId, long fh, long offset, ByteBuffer dst) throws FsException {
        Node n = node(nodeId);
        if (n.isDir()) {
            throw new FsException(Errno.EISDIR);
        }
        long end = Math.min(n.size, offset + dst.remaining());
        long pos = offset;
        while (pos < end) {
            Map.Entry<Long, byte[]> e = n.extents.floorEntry(pos);
            if (e != null && pos < e.getKey() + e.getValue().length) {
                int from = (int) (pos - e.getKey());
                int len = (int) Math.min(e.getValue().length - from, end - pos);
                dst.put(e.getValue(), from, len);
                pos += len;
            } else {
                Long next = n.extents.higherKey(pos);
                long holeEnd = next == null ? end : Math.min(next, end);
                while (pos < holeEnd) {
                    int zeros = (int) Math.min(ZEROS.length, holeEnd - pos);
                    dst.put(ZEROS, 0, zeros);
                    pos += zeros;
                }
            }
        }
    }

    @Override
    public long lseek(Context ctx, long nodeId, long fh, long offset, int whence) throws FsException {
        Node n = node(nodeId);
        if (whence != SEEK_DATA && whence != SEEK_HOLE) {
            throw new FsException(Errno.EINVAL);
        }
        if (offset < 0 || offset >= n.size) {
            throw new FsException(Errno.ENXIO);
        }
        if (whence == SEEK_DATA) {
            Map.Entry<Long, byte[]> e = n.extents.floorEntry(offset);
            if (e != null && offset < e.getKey() + e.getValue().length) {
                return offset;
            }
            Long next = n.extents.higherKey(offset);
            if (next == null || next >= n.size) {
                throw new FsException(Errno.ENXIO);
            }
            return next;
        }
        long pos = offset;
        while (true) {
            Map.Entry<Long, byte[]> e = n.extents.floorEntry(pos);
            if (e != null && pos < e.getKey() + e.getValue().length) {
                pos = e.getKey() + e.getValue().length;
            } else {
                return Math.min(pos, n.size);
            }
        }
    }

    @Override
    public OpenReply opendir(Context ctx, long nodeId, int flags) throws FsException {
        if (!node(nodeId).isDir()) {
            throw new FsException(Errno.ENOTDIR);
        }
        long fh = nextFh.incrementAndGet();
        handles.put(fh, nodeId);
        return OpenReply.of(fh);
    }

    @Override
    public void releasedir(Context ctx, long nodeId, long fh, int flags) {
        handles.remove(fh);
    }

    private List<Node> listing(Node dir) {
        List<Node> all = new ArrayList<>(dir.children.size() + 2);
        all.add(dir);
        all.add(nodes.get(dir.parent));
        all.addAll(dir.children.values());
        return all;
    }

    /** The name of entry {@code i} of {@link #listing}: "." and ".." first, then the children. */
    private static byte[] nameAt(int i, Node n) {
        if (i == 0) {
            return DOT;
        }
        if (i == 1) {
            return DOTDOT;
        }
        return n.name.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void readdir(Context ctx, long nodeId, long fh, long offset, DirSink sink) throws FsException {
        Node dir = node(nodeId);
        if (!dir.isDir()) {
            throw new FsException(Errno.ENOTDIR);
        }
        List<Node> all = listing(dir);
        for (int i = (int) offset; i < all.size(); i++) {
            Node n = all.get(i);
            if (!sink.add(nameAt(i, n), n.id, attr(n).dtype(), i + 1)) {
                return;
            }
        }
    }

    @Override
    public void readdirplus(Context ctx, long nodeId, long fh, long offset, DirPlusSink sink) throws FsException {
        Node dir = node(nodeId);
        if (!dir.isDir()) {
            throw new FsException(Errno.ENOTDIR);
        }
        List<Node> all = listing(dir);
        for (int i = (int) offset; i < all.size(); i++) {
            Node n = all.get(i);
            if (!sink.add(nameAt(i, n), i + 1, entry(n))) {
                return;
            }
            if (i >= 2) {
                countLookup(n.id);
            }
        }
    }

    @Override
    public StatFs statfs(Context ctx, long nodeId) {
        return new StatFs(1000, 0, 0, nodes.size(), 0, 4096, 255, 4096);
    }

    @Override
    public byte[] getxattr(Context ctx, long nodeId, byte[] name) throws FsException {
        byte[] v = node(nodeId).xattrs.get(new String(name, StandardCharsets.UTF_8));
        if (v == null) {
            throw new FsException(Errno.ENODATA);
        }
        return v.clone();
    }

    @Override
    public List<byte[]> listxattr(Context ctx, long nodeId) throws FsException {
        List<byte[]> out = new ArrayList<>();
        for (String k : node(nodeId).xattrs.keySet()) {
            out.add(k.getBytes(StandardCharsets.UTF_8));
        }
        return out;
    }

    @Override
    public void access(Context ctx, long nodeId, int mask) throws FsException {
        node(nodeId);
    }

    /** Builds the tree; parents must be added before their children. */
    public static final class Builder {
        private final Map<Long, Node> nodes = new LinkedHashMap<>();
        private long nextId = 2;
        private Duration timeout = Duration.ofSeconds(1);
        private int uid;
        private int gid;

        private Builder() {
            nodes.put(1L, new Node(1, "", 1, Attr.S_IFDIR | 0755, 4096, null, null, 0, 0));
        }

        /** Entry and attribute timeouts given to the kernel. Default 1 s. */
        public Builder timeout(Duration t) {
            timeout = t;
            return this;
        }

        /** Owner of nodes added from now on. */
        public Builder owner(int uid, int gid) {
            this.uid = uid;
            this.gid = gid;
            return this;
        }

        private Node parentOf(String path) {
            int slash = path.lastIndexOf('/');
            String parent = slash <= 0 ? "/" : path.substring(0, slash);
            Node n = nodes.get(1L).resolve(parent);
            if (n == null || !n.isDir()) {
                throw new IllegalArgumentException("no directory " + parent + " for " + path);
            }
            return n;
        }

        private Builder add(String path, int mode, long size, byte[] target, NavigableMap<Long, byte[]> extents) {
            Node parent = parentOf(path);
            String name = path.substring(path.lastIndexOf('/') + 1);
            if (name.isEmpty() || parent.children.containsKey(name)) {
                throw new IllegalArgumentException("bad or duplicate path " + path);
            }
            Node n = new Node(nextId++, name, parent.id, mode, size, target, extents, uid, gid);
            parent.children.put(name, n);
            nodes.put(n.id, n);
            return this;
        }

        public Builder dir(String path) {
            return add(path, Attr.S_IFDIR | 0755, 4096, null, null);
        }

        public Builder file(String path, byte[] data) {
            TreeMap<Long, byte[]> ext = new TreeMap<>();
            if (data.length > 0) {
                ext.put(0L, data.clone());
            }
            return add(path, Attr.S_IFREG | 0644, data.length, null, ext);
        }

        /** A file of {@code size} bytes that holds {@code extents} (offset to bytes) and holes elsewhere. */
        public Builder sparseFile(String path, long size, Map<Long, byte[]> extents) {
            TreeMap<Long, byte[]> ext = new TreeMap<>();
            long end = -1;
            for (Map.Entry<Long, byte[]> e : new TreeMap<>(extents).entrySet()) {
                if (e.getKey() < end || e.getKey() + e.getValue().length > size) {
                    throw new IllegalArgumentException("overlapping or out-of-file extent at " + e.getKey());
                }
                ext.put(e.getKey(), e.getValue().clone());
                end = e.getKey() + e.getValue().length;
            }
            return add(path, Attr.S_IFREG | 0644, size, null, ext);
        }

        public Builder symlink(String path, String target) {
            byte[] t = target.getBytes(StandardCharsets.UTF_8);
            return add(path, Attr.S_IFLNK | 0777, t.length, t, new TreeMap<>());
        }

        public Builder xattr(String path, String name, byte[] value) {
            Node n = nodes.get(1L).resolve(path);
            if (n == null) {
                throw new IllegalArgumentException("no " + path + " for xattr " + name);
            }
            n.xattrs.put(name, Arrays.copyOf(value, value.length));
            return this;
        }

        public InMemoryFileSystem build() {
            return new InMemoryFileSystem(this);
        }
    }
}
