package dev.jnydus.daemon;

import dev.jnydus.testkit.Privileged;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A source tree with everything a mount must reproduce: files of awkward sizes, a 5,000-entry
 * directory, a deep path, non-ASCII and long names, relative/absolute/dangling symlinks, a
 * three-way hardlink, a fifo and device nodes, user and trusted xattrs on files and directories,
 * setuid/sticky/read-only modes, foreign owners, and mtimes with nanoseconds. Needs root (device
 * nodes, chown, trusted xattrs).
 */
final class RichTree {
    static final int MANY = 5000;

    private RichTree() {
    }

    static void build(Path root) throws IOException, InterruptedException {
        Files.createDirectories(root);
        Random r = new Random(42);
        int[] sizes = {0, 1, 100, 4095, 4096, 4097, 65536, (1 << 20) - 1, 1 << 20, (1 << 20) + 1, 3 * (1 << 20) + 517};
        Files.createDirectories(root.resolve("files"));
        for (int s : sizes) {
            byte[] b = new byte[s];
            r.nextBytes(b);
            Files.write(root.resolve("files/size-" + s), b);
        }
        byte[] zeros = new byte[2 << 20];
        Files.write(root.resolve("files/zeros"), zeros);
        Path many = Files.createDirectories(root.resolve("many"));
        for (int i = 0; i < MANY; i++) {
            Files.writeString(many.resolve(String.format("entry-%05d", i)), "entry " + i + "\n");
        }
        Path deep = root;
        for (int i = 0; i < 24; i++) {
            deep = deep.resolve("d" + i);
        }
        Files.createDirectories(deep);
        Files.writeString(deep.resolve("bottom.txt"), "deep\n");
        Path names = Files.createDirectories(root.resolve("names"));
        Files.writeString(names.resolve("naïve café – файл 日本語.txt"), "unicode\n");
        Files.writeString(names.resolve("with space and 'quotes'"), "space\n");
        // 254, not 255: mkfs.erofs 1.5 fails on a 255-byte name ("Could not format the device").
        Files.writeString(names.resolve("x".repeat(254)), "long name\n");
        Files.writeString(names.resolve(".hidden"), "hidden\n");
        Files.writeString(root.resolve("files/target.txt"), "link target\n");
        Files.createDirectories(root.resolve("links"));
        Files.createSymbolicLink(root.resolve("links/relative"), Path.of("../files/target.txt"));
        Files.createSymbolicLink(root.resolve("links/absolute"), Path.of("/etc/hostname"));
        Files.createSymbolicLink(root.resolve("links/dangling"), Path.of("does/not/exist"));
        Files.createSymbolicLink(root.resolve("links/to-dir"), Path.of("../names"));
        Files.createSymbolicLink(root.resolve("links/long"), Path.of("t".repeat(1000)));
        Files.writeString(root.resolve("files/hard-a"), "three names, one inode\n");
        Files.createLink(root.resolve("files/hard-b"), root.resolve("files/hard-a"));
        Files.createLink(root.resolve("links/hard-c"), root.resolve("files/hard-a"));
        Path special = Files.createDirectories(root.resolve("special"));
        Files.writeString(special.resolve("setuid"), "#!/bin/sh\n");
        Files.writeString(special.resolve("readonly"), "ro\n");
        Files.writeString(special.resolve("owned"), "owned by someone else\n");
        Files.createDirectories(special.resolve("sticky"));
        Files.createDirectories(special.resolve("xdir"));

        List<String> sh = new ArrayList<>();
        sh.add("set -e");
        sh.add("cd '" + root + "'");
        sh.add("mkfifo special/fifo");
        sh.add("mknod special/null c 1 3");
        sh.add("mknod special/loopdev b 7 200");
        sh.add("chmod 4755 special/setuid");
        sh.add("chmod 0444 special/readonly");
        sh.add("chmod 1777 special/sticky");
        sh.add("chmod 0700 special/xdir");
        sh.add("chown 1000:1001 special/owned");
        sh.add("chown -h 65534:65534 links/relative");
        sh.add("chown 12345:54321 special/xdir");
        sh.add("setfattr -n user.color -v blue files/target.txt");
        sh.add("setfattr -n user.empty files/target.txt");
        sh.add("setfattr -n user.binary -v 0x00ff10 files/target.txt");
        sh.add("setfattr -n trusted.overlay.opaque -v y special/xdir");
        sh.add("setfattr -n user.dir -v 'a directory attribute' special/xdir");
        sh.add("setfattr -n user.big -v 0x" + "ab".repeat(1000) + " files/size-4096");
        // mtimes with nanoseconds, children before their directories.
        sh.add("find . -mindepth 1 -depth -print0 | xargs -0 touch -h -d '@1668232305.123456789'");
        sh.add("touch -h -d '@1500000000.5' files/size-1 links/absolute");
        sh.add("touch -d '@1700000000' special");
        sh.add("chmod 0755 .");
        sh.add("touch -d '@1600000000' .");
        Privileged.run("bash", "-c", String.join("\n", sh));
    }

    /** Writes the 4 GiB+ sparse file with data at its start, around 4 GiB and at its end. */
    static long[][] sparse(Path file) throws IOException {
        long size = (4L << 30) + (3L << 20) + 12345;
        long[][] ranges = {{0, 4096}, {(4L << 30) - 100, 300}, {(4L << 30) + (1L << 20) + 77, 65536},
            {size - 5000, 5000}};
        try (var ch = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.CREATE_NEW,
                java.nio.file.StandardOpenOption.WRITE)) {
            Random r = new Random(4);
            for (long[] range : ranges) {
                byte[] b = new byte[(int) range[1]];
                r.nextBytes(b);
                ch.write(java.nio.ByteBuffer.wrap(b), range[0]);
            }
            ch.truncate(size);
        }
        return ranges;
    }

    static String name(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
