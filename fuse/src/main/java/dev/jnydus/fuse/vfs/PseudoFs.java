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
