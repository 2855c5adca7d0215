package dev.jnydus.builder.check;

import dev.jnydus.rafs.metadata.RafsFormatException;
import dev.jnydus.rafs.metadata.RafsInode;
import dev.jnydus.rafs.metadata.RafsSuper;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Prints an image's tree in the shape {@code tree -a -J} prints a mounted copy of it (the 1.8
 * layout upstream's test results use): one entry a line, children in directory order, symlinks with
 * their target, and a closing report of directory and file counts.
 */
public final class TreeJson {
    private static final int MAX_SYMLINK_HOPS = 40;

    private final RafsSuper sb;
    private final java.util.ArrayDeque<RafsInode> dirs = new java.util.ArrayDeque<>();
    private int directories;
    private int files;

    private TreeJson(RafsSuper sb) {
        this.sb = sb;
    }

    public static String render(RafsSuper sb) throws RafsFormatException {
        return new TreeJson(sb).render();
    }

    private String render() throws RafsFormatException {
        StringBuilder out = new StringBuilder("[\n");
        RafsInode root = sb.inode(sb.rootIno());
        entry(out, root, "", 1);
        out.append(",\n  {\"type\":\"report\",\"directories\":").append(directories).append(",\"files\":").append(files)
                .append("}\n]\n");
        return out.toString();
    }

    private void entry(StringBuilder out, RafsInode inode, String name, int depth) throws RafsFormatException {
        String indent = "  ".repeat(depth);
        out.append(indent).append("{\"type\":\"").append(type(inode)).append("\",\"name\":\"").append(escape(name)).append('"');
        if (inode.isSymlink()) {
            out.append(",\"target\":\"").append(escape(new String(inode.symlinkTarget(), StandardCharsets.UTF_8)))
                    .append("\",\"contents\":[]}");
            // tree(1) follows links when counting: a link to a directory counts as a directory.
            if (resolvesToDirectory(inode)) {
                directories++;
            } else {
                files++;
            }
            return;
        }
        if (!inode.isDir()) {
            out.append('}');
            files++;
            return;
        }
        if (depth > 1) {
            directories++;
        }
        out.append(",\"contents\":[\n");
        List<byte[]> names = new ArrayList<>();
        sb.readdir(inode, 0, (n, ino, type, next) -> {
            if (!(n.length == 1 && n[0] == '.' || n.length == 2 && n[0] == '.' && n[1] == '.')) {
                names.add(n);
            }
            return true;
        });
        dirs.push(inode);
        for (int i = 0; i < names.size(); i++) {
            RafsInode child = sb.lookup(inode, names.get(i));
            if (child == null) {
                throw new RafsFormatException("directory inode " + inode.ino() + ": listed entry not found by lookup");
            }
            entry(out, child, new String(names.get(i), StandardCharsets.UTF_8), depth + 1);
            out.append(i + 1 < names.size() ? ",\n" : "\n");
        }
        dirs.pop();
        out.append(indent).append("]}");
    }

    /** Resolves a symlink inside the image, absolute targets from the image root, as in a chroot. */
    private boolean resolvesToDirectory(RafsInode link) throws RafsFormatException {
        java.util.ArrayDeque<RafsInode> path = new java.util.ArrayDeque<>(dirs);
        RafsInode end = follow(link, path, 0);
        return end != null && end.isDir();
    }

    private RafsInode follow(RafsInode link, java.util.ArrayDeque<RafsInode> path, int hops) throws RafsFormatException {
        if (hops > MAX_SYMLINK_HOPS) {
            return null;
        }
        String target = new String(link.symlinkTarget(), StandardCharsets.UTF_8);
        if (target.startsWith("/")) {
            RafsInode root = path.peekLast();
            path.clear();
            path.push(root);
        }
        String[] parts = target.split("/");
        RafsInode cur = path.peek();
        for (int i = 0; i < parts.length; i++) {
            String part = parts[i];
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                if (path.size() > 1) {
                    path.pop();
                }
                cur = path.peek();
                continue;
            }
            if (!cur.isDir()) {
                return null;
            }
            RafsInode next = sb.lookup(cur, part.getBytes(StandardCharsets.UTF_8));
            if (next == null) {
                return null;
            }
            if (next.isSymlink()) {
                next = follow(next, path, hops + 1);
                if (next == null) {
                    return null;
                }
            }
            if (next.isDir() && next != path.peek()) {
                path.push(next);
            }
            cur = next;
        }
        return cur;
    }

    private static String type(RafsInode inode) {
        return switch (inode.type()) {
            case RafsInode.S_IFDIR -> "directory";
            case RafsInode.S_IFLNK -> "link";
            case RafsInode.S_IFCHR -> "char";
            case RafsInode.S_IFBLK -> "block";
            case RafsInode.S_IFIFO -> "fifo";
            case RafsInode.S_IFSOCK -> "socket";
            default -> "file";
        };
    }

    static String escape(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\t' -> b.append("\\t");
                case '\r' -> b.append("\\r");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.toString();
    }
}
