package dev.jnydus.testkit;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * Generates a rich, deterministic directory tree for image round-trip tests: what a builder must
 * keep and a reader must show. The same {@link Options} always give the same names, bytes, modes,
 * owners and times (the seed drives every random choice), so two calls produce trees that
 * {@code diff -r} and a {@code stat} comparison find identical.
 *
 * <p>Layout under the root (all of it, unless an option turns a part off):
 * <ul>
 *   <li>{@code files/}: sizes around the interesting edges (0, 1, 4095, 4096, 4097, 1 MiB ± 1,
 *       3 MiB + 5), seeded random sizes up to {@link Options#maxFileSize}, a compressible text
 *       file, an incompressible random file, a file made of one repeated 1 MiB block and an exact
 *       copy of another file (chunk deduplication);</li>
 *   <li>{@code sparse/}: files with holes at the start, middle and end, and one that is all
 *       hole;</li>
 *   <li>{@code bigdir/}: {@link Options#bigDirEntries} small files (multi-block v6 directory);</li>
 *   <li>{@code deep/}: a 40-level path, a name of {@link Options#maxNameBytes} (255) bytes, names
 *       with spaces, unicode and shell punctuation;</li>
 *   <li>{@code links/}: absolute, relative, dangling and directory symlinks, a long target, and a
 *       regular file with three hard links ({@code files/hardlink-a}, {@code links/hardlink-b},
 *       {@code deep/hardlink-c});</li>
 *   <li>{@code special/}: a fifo, a unix socket and, as root, a char device (1:3) and a block
 *       device (7:200);</li>
 *   <li>{@code xattr/}: {@code user.} attributes (including an empty value) and, as root,
 *       {@code trusted.} attributes on a file and a directory;</li>
 *   <li>{@code modes/}: modes 0000, 0600, 0644, 0755, 04755, 02755, a sticky 01777 directory and,
 *       as root, owners 1000:1000, 65534:65534 and 100000:200000 (beyond 16 bits).</li>
 * </ul>
 * Every entry gets a seeded mtime with nanoseconds; directories get theirs last, so creating
 * children does not disturb them. The root directory keeps mode 0755 and mtime of the seed.
 */
public final class TestTrees {
    /** 1 MiB, the default RAFS chunk size. */
    public static final int MIB = 1 << 20;

    private TestTrees() {
    }

    /**
     * What to generate. Immutable; the {@code with*} methods return changed copies.
     *
     * @param maxNameBytes length of the longest name in the tree (all others are under 40 bytes)
     */
    public record Options(long seed, long maxFileSize, int randomFiles, int bigDirEntries, boolean privileged,
            int maxNameBytes) {
        public Options {
            if (maxNameBytes < 40 || maxNameBytes > 255) {
                throw new IllegalArgumentException("maxNameBytes " + maxNameBytes + " is not within 40..255");
            }
        }

        /**
         * Seed 42, files up to 8 MiB, 24 random files, 5,000 entries in {@code bigdir/}, root-only
         * parts if root, a 255-byte name.
         */
        public static Options defaults() {
            return new Options(42, 8L * MIB, 24, 5000, Privileged.isRoot(), 255);
        }

        /** The same tree with files up to 100 MiB (for slow, large tests). */
        public static Options large() {
            return defaults().withMaxFileSize(100L * MIB);
        }

        public Options withSeed(long s) {
            return new Options(s, maxFileSize, randomFiles, bigDirEntries, privileged, maxNameBytes);
        }

        public Options withMaxFileSize(long size) {
            return new Options(seed, size, randomFiles, bigDirEntries, privileged, maxNameBytes);
        }

        public Options withRandomFiles(int n) {
            return new Options(seed, maxFileSize, n, bigDirEntries, privileged, maxNameBytes);
        }

        public Options withBigDirEntries(int n) {
            return new Options(seed, maxFileSize, randomFiles, n, privileged, maxNameBytes);
        }

        /** Whether to create device nodes, {@code trusted.} xattrs and foreign owners (needs root). */
        public Options withPrivileged(boolean p) {
            return new Options(seed, maxFileSize, randomFiles, bigDirEntries, p && Privileged.isRoot(), maxNameBytes);
        }

        /**
         * The same tree with its long name cut to {@code n} bytes: mkfs.erofs 1.5 (Debian 12) fails
         * on a 255-byte name ("Could not format the device"), so trees for it use 254.
         */
        public Options withMaxNameBytes(int n) {
            return new Options(seed, maxFileSize, randomFiles, bigDirEntries, privileged, n);
        }
    }

    /** Generates the default tree into {@code root} (created if missing; must be empty). */
    public static Path generate(Path root) throws IOException {
        return generate(root, Options.defaults());
    }

    /** Generates the tree described by {@code o} into {@code root} (created if missing; must be empty). */
    public static Path generate(Path root, Options o) throws IOException {
        Files.createDirectories(root);
        try (var s = Files.list(root)) {
            if (s.findAny().isPresent()) {
                throw new IOException("test tree root " + root + " is not empty");
            }
        }
        Generator g = new Generator(root, o);
        g.run();
        return root;
    }

    /** Total bytes of regular-file content (hard links counted once), for throughput figures. */
    public static long contentBytes(Path root) throws IOException {
        long[] sum = {0};
        Set<Object> seen = new java.util.HashSet<>();
        try (var walk = Files.walk(root)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    Object key = Files.readAttributes(p, "unix:ino", LinkOption.NOFOLLOW_LINKS).get("ino");
                    if (seen.add(key)) {
                        sum[0] += Files.size(p);
                    }
                }
            }
        }
        return sum[0];
    }

    private static void exec(String... cmd) throws IOException {
        try {
            Privileged.run(cmd);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted: " + String.join(" ", cmd), e);
        }
    }

    private static final class Generator {
        private final Path root;
        private final Options o;
        private final Random rnd;
        /** Directories in creation order; their times are set last, deepest first. */
        private final List<Path> dirs = new ArrayList<>();

        Generator(Path root, Options o) {
            this.root = root;
            this.o = o;
            this.rnd = new Random(o.seed());
        }

        void run() throws IOException {
            files();
            sparse();
            bigdir();
            deep();
            links();
            special();
            xattrs();
            modes();
            for (int i = dirs.size() - 1; i >= 0; i--) {
                setTime(dirs.get(i));
            }
            Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.setLastModifiedTime(root, FileTime.from(Instant.ofEpochSecond(1_600_000_000L + o.seed(), 0)));
        }

        private Path dir(String rel) throws IOException {
            Path d = root.resolve(rel);
            Files.createDirectories(d);
            // Explicit modes: the tree must not depend on the caller's umask.
            Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwxr-xr-x"));
            dirs.add(d);
            return d;
        }

        private void setTime(Path p) throws IOException {
            // Seconds in [1e9, 1.7e9) plus nanoseconds: exercises both mtime fields. The link
            // itself, never its target.
            long sec = 1_000_000_000L + (long) (rnd.nextDouble() * 700_000_000L);
            long nsec = rnd.nextInt(1_000_000_000);
            if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) || Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                FileTime t = FileTime.from(Instant.ofEpochSecond(sec, nsec));
                Files.getFileAttributeView(p, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                        .setTimes(t, t, null);
            } else {
                // The JDK opens the file to set times, which blocks on a fifo and follows symlinks.
                exec("touch", "-h", "-d", String.format("@%d.%09d", sec, nsec), p.toString());
            }
        }

        private Path file(Path dir, String name, byte[] content) throws IOException {
            Path f = dir.resolve(name);
            Files.write(f, content);
            Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
            setTime(f);
            return f;
        }

        private byte[] random(int len) {
            byte[] b = new byte[len];
            rnd.nextBytes(b);
            return b;
        }

        private byte[] text(int len) {
            byte[] words = "the quick brown fox jumps over the lazy dog nydus rafs erofs chunk blob \n"
                    .getBytes(StandardCharsets.US_ASCII);
            byte[] b = new byte[len];
            for (int i = 0; i < len; i++) {
                b[i] = words[(i * 7 + rnd.nextInt(3)) % words.length];
            }
            return b;
        }

        private void files() throws IOException {
            Path d = dir("files");
            int[] edges = {0, 1, 4095, 4096, 4097, MIB - 1, MIB, MIB + 1, 3 * MIB + 5};
            for (int size : edges) {
                if (size <= o.maxFileSize()) {
                    file(d, "size-" + size, random(size));
                }
            }
            for (int i = 0; i < o.randomFiles(); i++) {
                // Mostly small files, some large: the shape of a real root filesystem.
                long size = rnd.nextInt(4) == 0 ? (long) (rnd.nextDouble() * o.maxFileSize())
                        : rnd.nextInt(64 * 1024);
                file(d, String.format("random-%02d.bin", i), random((int) Math.min(size, Integer.MAX_VALUE - 8)));
            }
            int textSize = (int) Math.min(o.maxFileSize(), 2L * MIB + 12345);
            byte[] text = text(textSize);
            file(d, "compressible.txt", text);
            file(d, "copy-of-compressible.txt", text);
            file(d, "incompressible.bin", random((int) Math.min(o.maxFileSize(), MIB + 777)));
            int blocks = (int) Math.max(1, Math.min(4, o.maxFileSize() / MIB));
            byte[] block = random(MIB);
            byte[] repeated = new byte[blocks * MIB];
            for (int i = 0; i < blocks; i++) {
                System.arraycopy(block, 0, repeated, i * MIB, MIB);
            }
            file(d, "repeated-blocks.bin", repeated);
            if (o.maxFileSize() >= 64L * MIB) {
                file(d, "large.bin", random((int) Math.min(o.maxFileSize(), Integer.MAX_VALUE - 8)));
            }
        }

        private void sparse() throws IOException {
            Path d = dir("sparse");
            long size = Math.max(5L * MIB, Math.min(o.maxFileSize(), 16L * MIB));
            // Data at the start, a hole, data in the middle, a hole at the end.
            try (RandomAccessFile f = new RandomAccessFile(d.resolve("holes-middle-end").toFile(), "rw")) {
                f.write(random(10_000));
                f.seek(size / 2);
                f.write(random(MIB + 3));
                f.setLength(size);
            }
            // A hole first, data last.
            try (RandomAccessFile f = new RandomAccessFile(d.resolve("hole-start").toFile(), "rw")) {
                f.seek(3L * MIB + 100);
                f.write(random(5000));
            }
            try (RandomAccessFile f = new RandomAccessFile(d.resolve("all-hole").toFile(), "rw")) {
                f.setLength(2L * MIB + 1);
            }
            for (String n : new String[] {"holes-middle-end", "hole-start", "all-hole"}) {
                setTime(d.resolve(n));
            }
        }

        private void bigdir() throws IOException {
            if (o.bigDirEntries() <= 0) {
                return;
            }
            Path d = dir("bigdir");
            for (int i = 0; i < o.bigDirEntries(); i++) {
                String name = String.format("entry-%05d-%s", i, Integer.toString(rnd.nextInt(1 << 20), 36));
                byte[] content = i % 10 == 0 ? new byte[0] : ("entry " + i + "\n").getBytes(StandardCharsets.US_ASCII);
                file(d, name, content);
            }
        }

        private void deep() throws IOException {
            Path d = dir("deep");
            Path p = d;
            StringBuilder rel = new StringBuilder("deep");
            for (int i = 0; i < 40; i++) {
                rel.append("/level-").append(i);
                p = dir(rel.toString());
            }
            file(p, "bottom.txt", text(321));
            char[] longName = new char[o.maxNameBytes()];
            Arrays.fill(longName, 'n');
            file(d, new String(longName), text(10));
            file(d, "name with spaces", text(20));
            file(d, "ünïcødé-日本語-файл", text(30));
            file(d, "punct !#$%&'()*+,;=@[]^_`{}~-", text(40));
            dir("deep/dir with space");
            dir("deep/dir with space/ünïcødé-dir");
            file(root.resolve("deep/dir with space/ünïcødé-dir"), "inside", text(50));
        }

        private void links() throws IOException {
            Path d = dir("links");
            Files.createSymbolicLink(d.resolve("absolute"), Path.of("/etc/hostname"));
            Files.createSymbolicLink(d.resolve("relative"), Path.of("../files/compressible.txt"));
            Files.createSymbolicLink(d.resolve("dangling"), Path.of("does/not/exist"));
            Files.createSymbolicLink(d.resolve("to-dir"), Path.of("../deep"));
            Files.createSymbolicLink(d.resolve("long-target"), Path.of("x/".repeat(700) + "end"));
            for (String n : new String[] {"absolute", "relative", "dangling", "to-dir", "long-target"}) {
                setTime(d.resolve(n));
            }
            Path target = file(root.resolve("files"), "hardlink-a", text(MIB + 4321));
            Files.createLink(d.resolve("hardlink-b"), target);
            Files.createLink(root.resolve("deep/hardlink-c"), target);
        }

        private void special() throws IOException {
            Path d = dir("special");
            exec("mkfifo", "-m", "0640", d.resolve("fifo").toString());
            setTime(d.resolve("fifo"));
            try (ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
                s.bind(UnixDomainSocketAddress.of(d.resolve("socket")));
            }
            exec("chmod", "0755", d.resolve("socket").toString());
            setTime(d.resolve("socket"));
            if (o.privileged()) {
                exec("mknod", "-m", "0666", d.resolve("char-1-3").toString(), "c", "1", "3");
                exec("mknod", "-m", "0660", d.resolve("block-7-200").toString(), "b", "7", "200");
                setTime(d.resolve("char-1-3"));
                setTime(d.resolve("block-7-200"));
            }
        }

        private void xattrs() throws IOException {
            Path d = dir("xattr");
            Path f = file(d, "with-user-xattrs", text(100));
            UserDefinedFileAttributeView v = Files.getFileAttributeView(f, UserDefinedFileAttributeView.class);
            v.write("comment", ByteBuffer.wrap("a user attribute".getBytes(StandardCharsets.UTF_8)));
            v.write("empty", ByteBuffer.allocate(0));
            v.write("binary", ByteBuffer.wrap(random(300)));
            Path sub = dir("xattr/dir-with-xattrs");
            Files.getFileAttributeView(sub, UserDefinedFileAttributeView.class)
                    .write("dir.note", ByteBuffer.wrap("on a directory".getBytes(StandardCharsets.UTF_8)));
            if (o.privileged()) {
                exec("setfattr", "-n", "trusted.jnydus.test", "-v", "trusted-value", f.toString());
                exec("setfattr", "-n", "trusted.overlay.origin", "-v", "0x00fb", sub.toString());
            }
            setTime(f);
        }

        private void modes() throws IOException {
            Path d = dir("modes");
            String[][] files = {{"mode-0000", "---------"}, {"mode-0600", "rw-------"}, {"mode-0644", "rw-r--r--"},
                {"mode-0755", "rwxr-xr-x"}};
            for (String[] m : files) {
                Path f = file(d, m[0], text(10));
                Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(m[1]));
            }
            Path suid = file(d, "mode-4755", text(10));
            Path sgid = file(d, "mode-2755", text(10));
            Path sticky = dir("modes/sticky-1777");
            Set<PosixFilePermission> all = PosixFilePermissions.fromString("rwxrwxrwx");
            Files.setPosixFilePermissions(sticky, all);
            exec("chmod", "4755", suid.toString());
            exec("chmod", "2755", sgid.toString());
            exec("chmod", "1777", sticky.toString());
            if (o.privileged()) {
                String[][] owners = {{"owner-1000", "1000:1000"}, {"owner-65534", "65534:65534"},
                    {"owner-100000", "100000:200000"}};
                for (String[] ow : owners) {
                    Path f = file(d, ow[0], text(10));
                    exec("chown", "-h", ow[1], f.toString());
                }
                Path link = d.resolve("owned-symlink");
                Files.createSymbolicLink(link, Path.of("mode-0644"));
                exec("chown", "-h", "4242:4343", link.toString());
                setTime(link);
            }
        }
    }
}
