package dev.jnydus.rafs.metadata;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Walks a whole image depth-first in directory order. A directory reached twice (a cycle, or a
 * directory listed under two parents) is a format error, so that a corrupt image cannot make a
 * walk run forever.
 */
public final class TreeWalker {

    /** One entry of the tree: its absolute path inside the image ("/" for the root). */
    public record Entry(byte[] path, RafsInode inode, int depth) {
        public String pathString() {
            return new String(path, java.nio.charset.StandardCharsets.UTF_8);
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
        if (visitor.visit(new Entry(new byte[] {'/'}, root, 0))) {
            walkDir(sb, root, new byte[0], 1, seenDirs, visitor);
        }
    }

    private static void walkDir(RafsSuper sb, RafsInode dir, byte[] prefix, int depth, Set<Long> seenDirs, Visitor visitor)
            throws IOException {
        List<byte[]> names = new ArrayList<>();
        List<Long> inos = new ArrayList<>();
        sb.readdir(dir, 0, (name, ino, type, next) -> {
            if (!isDot(name)) {
                names.add(name);
                inos.add(ino);
            }
            return true;
        });
        for (int i = 0; i < names.size(); i++) {
            RafsInode child = sb.lookup(dir, names.get(i));
            if (child == null || child.ino() != inos.get(i)) {
                throw new RafsFormatException("directory inode " + dir.ino() + ": entry '" + new String(names.get(i),
                        java.nio.charset.StandardCharsets.UTF_8) + "' listed but not found by lookup");
            }
            byte[] path = join(prefix, names.get(i));
            if (child.isDir() && !seenDirs.add(child.ino())) {
                throw new RafsFormatException("directory inode " + child.ino() + " reached twice (at "
                        + new String(path, java.nio.charset.StandardCharsets.UTF_8) + "): directory cycle");
            }
            boolean descend = visitor.visit(new Entry(path, child, depth));
            if (descend && child.isDir()) {
                walkDir(sb, child, path, depth + 1, seenDirs, visitor);
            }
        }
    }

    static boolean isDot(byte[] name) {
        return name.length == 1 && name[0] == '.' || name.length == 2 && name[0] == '.' && name[1] == '.';
    }

    private static byte[] join(byte[] prefix, byte[] name) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(prefix.length + name.length + 1);
        out.write(prefix, 0, prefix.length);
        out.write('/');
        out.write(name, 0, name.length);
        return out.toByteArray();
    }
}
