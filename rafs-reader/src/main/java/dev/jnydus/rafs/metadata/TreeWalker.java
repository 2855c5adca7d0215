package dev.jnydus.rafs.metadata;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Walks a whole image depth-first in directory order. A directory reached twice (a cycle, or a
 * directory listed under two parents) is a format error, so that a corrupt image cannot make a
 * walk run forever.
 *
 * <p>An image may nest directories as deep as it has inodes, so the walk keeps its own stack
 * instead of recursing, and an entry's path is built only when asked for: holding every
 * ancestor's full path would take memory quadratic in the depth.
 */
public final class TreeWalker {

    /** One entry of the tree: its absolute path inside the image ("/" for the root). */
    public static final class Entry {
        private final Entry parent;
        private final byte[] name;
        private final RafsInode inode;
        private final int depth;

        private Entry(Entry parent, byte[] name, RafsInode inode, int depth) {
            this.parent = parent;
            this.name = name;
            this.inode = inode;
            this.depth = depth;
        }

        /** The absolute path, built from the names of the entry and its ancestors. */
        public byte[] path() {
            if (parent == null) {
                return new byte[] {'/'};
            }
            int len = 0;
            for (Entry e = this; e.parent != null; e = e.parent) {
                len += 1 + e.name.length;
            }
            byte[] out = new byte[len];
            int end = len;
            for (Entry e = this; e.parent != null; e = e.parent) {
                end -= e.name.length;
                System.arraycopy(e.name, 0, out, end, e.name.length);
                out[--end] = '/';
            }
            return out;
        }

        public String pathString() {
            return new String(path(), StandardCharsets.UTF_8);
        }

        public RafsInode inode() {
            return inode;
        }

        /** 0 for the root, 1 for its entries, and so on. */
        public int depth() {
            return depth;
        }

        @Override
        public String toString() {
            return "Entry[" + pathString() + ", ino " + inode.ino() + "]";
        }
    }

    @FunctionalInterface
    public interface Visitor {
        /** Return {@code false} to skip the children of a directory. */
        boolean visit(Entry entry) throws IOException;
    }

    private TreeWalker() {
    }

    public static void walk(RafsSuper sb, Visitor visitor) throws IOException {
        Set<Long> seenDirs = new HashSet<>();
        RafsInode root = sb.inode(sb.rootIno());
        seenDirs.add(root.ino());
        Entry rootEntry = new Entry(null, new byte[0], root, 0);
        if (!visitor.visit(rootEntry)) {
            return;
        }
        Deque<Listing> stack = new ArrayDeque<>();
        stack.push(Listing.of(sb, rootEntry));
        while (!stack.isEmpty()) {
            Listing l = stack.peek();
            if (l.next == l.names.size()) {
                stack.pop();
                continue;
            }
            int i = l.next++;
            RafsInode dir = l.dir.inode();
            byte[] name = l.names.get(i);
            RafsInode child = sb.lookup(dir, name);
            if (child == null || child.ino() != l.inos.get(i)) {
                throw new RafsFormatException("directory inode " + dir.ino() + ": entry '"
                        + new String(name, StandardCharsets.UTF_8) + "' listed but not found by lookup");
            }
            Entry e = new Entry(l.dir, name, child, l.dir.depth() + 1);
            if (child.isDir() && !seenDirs.add(child.ino())) {
                throw new RafsFormatException("directory inode " + child.ino() + " reached twice (at "
                        + e.pathString() + "): directory cycle");
            }
            if (visitor.visit(e) && child.isDir()) {
                stack.push(Listing.of(sb, e));
            }
        }
    }

    /** A directory being walked: its entries (without "." and ".."), and the next one to visit. */
    private static final class Listing {
        final Entry dir;
        final List<byte[]> names = new ArrayList<>();
        final List<Long> inos = new ArrayList<>();
        int next;

        private Listing(Entry dir) {
            this.dir = dir;
        }

        static Listing of(RafsSuper sb, Entry dir) throws RafsFormatException {
            Listing l = new Listing(dir);
            sb.readdir(dir.inode(), 0, (name, ino, type, next) -> {
                if (!isDot(name)) {
                    l.names.add(name);
                    l.inos.add(ino);
                }
                return true;
            });
            return l;
        }
    }

    static boolean isDot(byte[] name) {
        return name.length == 1 && name[0] == '.' || name.length == 2 && name[0] == '.' && name[1] == '.';
    }
}
