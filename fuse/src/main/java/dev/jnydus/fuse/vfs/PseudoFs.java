package dev.jnydus.fuse.vfs;

import dev.jnydus.common.Errno;
import dev.jnydus.common.FsException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The directories that lead to attach points: the FUSE root and every directory on the way to a
 * virtual mountpoint such as {@code /a/b}. Only directories, only a handful of them, so children
 * are searched linearly. Changes copy the affected lists under the object lock; readers see
 * immutable snapshots without locking.
 *
 * <p>Inode 1 is the root; numbers are never reused, as in fuse-backend-rs {@code PseudoFs}, so a
 * kernel that still holds an old node id never reaches a different directory.
 */
final class PseudoFs {
    static final long ROOT = 1;

    /** One directory: immutable apart from its children list, which is replaced, never mutated. */
    static final class Node {
        final long ino;
        final long parent;
        final byte[] name;
        volatile List<Node> children = List.of();

        Node(long ino, long parent, byte[] name) {
            this.ino = ino;
            this.parent = parent;
            this.name = name;
        }
    }

    private volatile Map<Long, Node> nodes;
    private long next = ROOT + 1;

    PseudoFs() {
        Map<Long, Node> m = new HashMap<>();
        m.put(ROOT, new Node(ROOT, ROOT, new byte[] {'/'}));
        nodes = m;
    }

    Node node(long ino) {
        return nodes.get(ino);
    }

    Node root() {
        return nodes.get(ROOT);
    }

    /** The child called {@code name}, or {@code null}. */
    static Node child(Node dir, byte[] name) {
        for (Node c : dir.children) {
            if (Arrays.equals(c.name, name)) {
                return c;
            }
        }
        return null;
    }

    /** Creates the directories of {@code path} that do not exist yet; returns the last one. */
    synchronized Node mkdirs(String path) throws FsException {
        Node cur = root();
        for (byte[] part : components(path)) {
            Node c = child(cur, part);
            if (c == null) {
                c = new Node(next++, cur.ino, part);
                Map<Long, Node> m = new HashMap<>(nodes);
                m.put(c.ino, c);
                nodes = m;
                List<Node> kids = new ArrayList<>(cur.children);
                kids.add(c);
                cur.children = List.copyOf(kids);
            }
            cur = c;
        }
        return cur;
    }

    /** Every directory but the root, parents before children, and the next inode number. */
    synchronized VfsLayout layout(int nextIndex) {
        List<VfsLayout.Dir> out = new ArrayList<>();
        List<Node> todo = new ArrayList<>(root().children);
        for (int i = 0; i < todo.size(); i++) {
            Node n = todo.get(i);
            out.add(new VfsLayout.Dir(n.ino, n.parent, new String(n.name, StandardCharsets.UTF_8)));
            todo.addAll(n.children);
        }
        return new VfsLayout(out, next, nextIndex);
    }

    /**
     * Recreates {@code layout}'s directories with their inode numbers; only on a tree that has
     * nothing but its root.
     *
     * @throws FsException EINVAL when the tree is not empty or the layout is inconsistent
     */
    synchronized void restore(VfsLayout layout) throws FsException {
        if (nodes.size() != 1) {
            throw new FsException(Errno.EINVAL, "pseudo directories exist already; cannot restore a layout");
        }
        Map<Long, Node> m = new HashMap<>(nodes);
        long max = ROOT;
        for (VfsLayout.Dir d : layout.dirs()) {
            Node parent = m.get(d.parent());
            byte[] name = d.name().getBytes(StandardCharsets.UTF_8);
            if (d.ino() <= ROOT || m.containsKey(d.ino()) || parent == null || name.length == 0
                    || components("/" + d.name()).size() != 1 || child(parent, name) != null) {
                throw new FsException(Errno.EINVAL, "bad pseudo directory in the saved layout: " + d);
            }
            Node n = new Node(d.ino(), d.parent(), name);
            m.put(n.ino, n);
            List<Node> kids = new ArrayList<>(parent.children);
            kids.add(n);
            parent.children = List.copyOf(kids);
            max = Math.max(max, d.ino());
        }
        if (layout.nextPseudoIno() <= max) {
            throw new FsException(Errno.EINVAL, "saved layout hands out inode " + layout.nextPseudoIno()
                    + " again (highest in use " + max + ")");
        }
        nodes = m;
        next = layout.nextPseudoIno();
    }

    /** Back to the root alone and the first inode numbers (a takeover that failed half-way). */
    synchronized void reset() {
        Map<Long, Node> m = new HashMap<>();
        m.put(ROOT, new Node(ROOT, ROOT, new byte[] {'/'}));
        nodes = m;
        next = ROOT + 1;
    }

    /** The directory at {@code path}, or {@code null} when some component does not exist. */
    Node walk(String path) throws FsException {
        Node cur = root();
        for (byte[] part : components(path)) {
            cur = child(cur, part);
            if (cur == null) {
                return null;
            }
        }
        return cur;
    }

    /**
     * Splits an absolute path into names. "." components are skipped; ".." is refused, because an
     * attach point must name one directory unambiguously.
     */
    static List<byte[]> components(String path) throws FsException {
        if (path == null || !path.startsWith("/")) {
            throw new FsException(Errno.EINVAL, "virtual mountpoint '" + path + "' is not an absolute path");
        }
        List<byte[]> out = new ArrayList<>();
        for (String p : path.split("/")) {
            if (p.isEmpty() || p.equals(".")) {
                continue;
            }
            if (p.equals("..")) {
                throw new FsException(Errno.EINVAL, "virtual mountpoint '" + path + "' contains '..'");
            }
            if (p.indexOf('\0') >= 0) {
                throw new FsException(Errno.EINVAL, "virtual mountpoint '" + path + "' contains a NUL");
            }
            out.add(p.getBytes(StandardCharsets.UTF_8));
        }
        return out;
    }
}
