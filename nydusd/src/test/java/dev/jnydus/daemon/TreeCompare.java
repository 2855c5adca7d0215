package dev.jnydus.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jnydus.testkit.Privileged;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/** Compares a mounted image with the tree it was built from, the way a user would notice. */
final class TreeCompare {
    private TreeCompare() {
    }

    /** What stat(2) shows and must survive the round trip. */
    record Stat(int mode, int uid, int gid, long size, int nlink, long rdev, long mtimeSec, long mtimeNano) {
    }

    static Map<String, Stat> stats(Path root) throws IOException {
        Map<String, Stat> out = new TreeMap<>();
        for (Path p : walk(root)) {
            Map<String, Object> a = Files.readAttributes(p, "unix:*", LinkOption.NOFOLLOW_LINKS);
            int mode = (Integer) a.get("mode");
            boolean dir = (mode & 0170000) == 0040000;
            FileTime t = (FileTime) a.get("lastModifiedTime");
            long nanos = t.toInstant().getNano();
            out.put(rel(root, p), new Stat(mode, (Integer) a.get("uid"), (Integer) a.get("gid"),
                    dir ? -1 : (Long) a.get("size"), (Integer) a.get("nlink"), (Long) a.get("rdev"),
                    t.toInstant().getEpochSecond(), nanos));
        }
        return out;
    }

    static Map<String, Long> inodes(Path root) throws IOException {
        Map<String, Long> out = new TreeMap<>();
        for (Path p : walk(root)) {
            out.put(rel(root, p), (Long) Files.getAttribute(p, "unix:ino", LinkOption.NOFOLLOW_LINKS));
        }
        return out;
    }

    static Map<String, String> symlinks(Path root) throws IOException {
        Map<String, String> out = new TreeMap<>();
        for (Path p : walk(root)) {
            if (Files.isSymbolicLink(p)) {
                out.put(rel(root, p), Files.readSymbolicLink(p).toString());
            }
        }
        return out;
    }

    /** {@code getfattr -d -m - -h -e hex -R} per path, independent of listing order. */
    static Map<String, TreeSet<String>> xattrs(Path root) throws IOException, InterruptedException {
        return parseXattrs(getfattr(root));
    }

    /** The raw {@code getfattr -R -d -m - -h -e hex .} listing of a tree. */
    static String getfattr(Path root) throws IOException, InterruptedException {
        return Privileged.run("bash", "-c", "cd '" + root + "' && getfattr -R -d -m - -h -e hex . 2>&1 || true");
    }

    /** A {@link #getfattr} listing per path. */
    static Map<String, TreeSet<String>> parseXattrs(String out) {
        Map<String, TreeSet<String>> m = new TreeMap<>();
        String file = null;
        for (String line : out.split("\n")) {
            if (line.startsWith("# file: ")) {
                file = line.substring(8);
                m.put(file, new TreeSet<>());
            } else if (!line.isBlank() && file != null) {
                m.get(file).add(line);
            }
        }
        return m;
    }

    /** Groups of paths sharing an inode number (hardlinks), keyed by the group's first path. */
    static List<List<String>> linkGroups(Map<String, Long> inodes) {
        Map<Long, List<String>> by = new HashMap<>();
        inodes.forEach((p, ino) -> by.computeIfAbsent(ino, k -> new ArrayList<>()).add(p));
        List<List<String>> groups = new ArrayList<>();
        for (List<String> g : by.values()) {
            if (g.size() > 1) {
                g.sort(String::compareTo);
                groups.add(g);
            }
        }
        groups.sort((a, b) -> a.get(0).compareTo(b.get(0)));
        return groups;
    }

    /** Every check of the first test bullet, except the listings of the big directory. */
    static void assertSameTree(Path src, Path mnt) throws Exception {
        assertSameTree(src, mnt, false);
    }

    /**
     * @param rootMtimeIsMountTime the image stores mtime 0 for its root (upstream's builder does),
     *     which nydusd reports as the mount time: the root's mtime is then not compared
     */
    static void assertSameTree(Path src, Path mnt, boolean rootMtimeIsMountTime) throws Exception {
        assertSameTree(src, mnt, rootMtimeIsMountTime, xattrs(src));
    }

    /**
     * @param srcXattrs the source's attributes, for a source seen through a filesystem that hides
     *     some ({@code trusted.} over 9p in the fscache guest), listed where it was built
     */
    static void assertSameTree(Path src, Path mnt, boolean rootMtimeIsMountTime,
                               Map<String, TreeSet<String>> srcXattrs) throws Exception {
        String diff = Privileged.run("bash", "-c", "diff -r --no-dereference '" + src + "' '" + mnt + "' 2>&1; true");
        List<String> real = new ArrayList<>();
        // diff does not compare special files; it names them, which is fine when the types agree
        // (their rdev is compared with stat below).
        java.util.regex.Pattern special = java.util.regex.Pattern.compile("File .* is an? (.*) while file .* is an? (.*)");
        for (String l : diff.split("\n")) {
            java.util.regex.Matcher m = special.matcher(l);
            if (!l.isBlank() && !(m.matches() && m.group(1).equals(m.group(2)))) {
                real.add(l);
            }
        }
        assertThat(real).as("diff -r").isEmpty();

        Map<String, Stat> want = stats(src);
        Map<String, Stat> got = stats(mnt);
        assertThat(got.keySet()).as("the same names").isEqualTo(want.keySet());
        for (Map.Entry<String, Stat> e : want.entrySet()) {
            Stat w = e.getValue();
            Stat g = got.get(e.getKey());
            if (rootMtimeIsMountTime && e.getKey().equals(".")) {
                g = new Stat(g.mode(), g.uid(), g.gid(), g.size(), g.nlink(), g.rdev(), w.mtimeSec(), w.mtimeNano());
            }
            assertThat(g).as("stat of %s", e.getKey()).isEqualTo(w);
        }
        assertThat(symlinks(mnt)).as("symlink targets").isEqualTo(symlinks(src));
        assertThat(linkGroups(inodes(mnt))).as("hardlinks share an inode").isEqualTo(linkGroups(inodes(src)))
                .isNotEmpty();
        assertThat(xattrs(mnt)).as("getfattr -d -m -").isEqualTo(srcXattrs);
    }

    static List<Path> walk(Path root) throws IOException {
        List<Path> all = new ArrayList<>();
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                all.add(dir);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                all.add(file);
                return FileVisitResult.CONTINUE;
            }
        });
        return all;
    }

    static String rel(Path root, Path p) {
        String r = root.relativize(p).toString();
        return r.isEmpty() ? "." : r;
    }
}
