package dev.jnydus.rafs.metadata;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jnydus.testkit.Privileged;
import dev.jnydus.testkit.TestTrees;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Plain EROFS images made by mkfs.erofs, read by our reader and by the kernel's own EROFS driver:
 * every entry's attributes, symlink target, xattrs, directory listing and bytes must agree.
 */
@Tag("privileged")
@Timeout(value = 15, unit = TimeUnit.MINUTES)
class ErofsKernelComparisonTest {
    @TempDir
    static Path work;
    static Path source;

    @BeforeAll
    static void makeTree() throws Exception {
        Privileged.requireRoot();
        Privileged.requireTool("mkfs.erofs");
        Privileged.requireTool("getfattr");
        Privileged.requireTool("losetup");
        // Files from empty to 100 MiB, holes, 5,000-entry directory, deep paths, odd names, links,
        // special files, user. and trusted. xattrs.
        // mkfs.erofs 1.5 (Debian 12) fails on 255-byte names; 254 is the longest it can write.
        source = TestTrees.generate(work.resolve("src"), TestTrees.Options.large().withMaxNameBytes(254));
        // @TempDir removes the tree and images; mounts are undone by each test.
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"plain", "inline", "chunked-blobdev", "chunked-blockmap"})
    void readerAgreesWithTheKernel(String variant) throws Exception {
        Path img = work.resolve(variant + ".img");
        Path blob = work.resolve(variant + ".blob");
        List<String> mkfs = new ArrayList<>(List.of("mkfs.erofs", "--quiet"));
        switch (variant) {
            case "plain" -> mkfs.addAll(List.of("-Enoinline_data", "--preserve-mtime"));
            case "inline" -> mkfs.add("--preserve-mtime");
            case "chunked-blobdev" -> mkfs.addAll(List.of("--chunksize=65536", "--blobdev=" + blob));
            case "chunked-blockmap" -> mkfs.addAll(List.of("--chunksize=4096", "--preserve-mtime"));
            default -> throw new IllegalArgumentException(variant);
        }
        mkfs.add(img.toString());
        mkfs.add(source.toString());
        Privileged.run(mkfs.toArray(String[]::new));
        boolean withBlob = variant.equals("chunked-blobdev");

        Path mnt = Files.createDirectories(work.resolve("mnt-" + variant));
        String loop = null;
        boolean mounted = false;
        try {
            String opts = "ro";
            if (withBlob) {
                loop = Privileged.run("losetup", "-f", "--show", "-r", blob.toString()).trim();
                opts += ",device=" + loop;
            }
            Privileged.run("mount", "-t", "erofs", "-o", opts, img.toString(), mnt.toString());
            mounted = true;
            try (RafsSuper sb = RafsSuper.open(img)) {
                assertThat(sb.version()).isEqualTo(RafsVersion.EROFS);
                compare(sb, mnt, withBlob ? blob : null);
            }
        } finally {
            if (mounted) {
                Privileged.run("umount", mnt.toString());
            }
            if (loop != null) {
                Privileged.run("losetup", "-d", loop);
            }
        }
    }

    private void compare(RafsSuper sb, Path mnt, Path blob) throws Exception {
        Map<String, Long> blocks = kernelBlocks(mnt);
        Map<String, Map<String, String>> kernelXattrs = kernelXattrs(mnt);
        Set<String> seen = new TreeSet<>();
        int[] files = {0};
        try (FileChannel blobCh = blob == null ? null : FileChannel.open(blob)) {
            TreeWalker.walk(sb, e -> {
                String rel = e.pathString().equals("/") ? "" : e.pathString().substring(1);
                Path k = rel.isEmpty() ? mnt : mnt.resolve(rel);
                seen.add(rel);
                RafsInode inode = e.inode();
                Map<String, Object> st = Files.readAttributes(k, "unix:*", LinkOption.NOFOLLOW_LINKS);
                String what = "/" + rel;
                assertThat(inode.mode()).as(what + " mode").isEqualTo((int) st.get("mode"));
                assertThat(inode.uid()).as(what + " uid").isEqualTo(((Integer) st.get("uid")).longValue());
                assertThat(inode.gid()).as(what + " gid").isEqualTo(((Integer) st.get("gid")).longValue());
                assertThat(inode.size()).as(what + " size").isEqualTo((long) st.get("size"));
                assertThat(inode.nlink()).as(what + " nlink").isEqualTo((int) st.get("nlink"));
                assertThat(inode.rdev()).as(what + " rdev").isEqualTo((long) st.get("rdev"));
                assertThat(inode.ino()).as(what + " ino").isEqualTo((long) st.get("ino"));
                FileTime mtime = (FileTime) st.get("lastModifiedTime");
                long nanos = mtime.to(TimeUnit.NANOSECONDS);
                assertThat(inode.mtime()).as(what + " mtime").isEqualTo(Math.floorDiv(nanos, 1_000_000_000L));
                assertThat(inode.mtimeNsec()).as(what + " mtime nsec").isEqualTo((int) Math.floorMod(nanos, 1_000_000_000L));
                assertThat(inode.blocks()).as(what + " blocks").isEqualTo(blocks.get(rel));
                Map<String, String> xs = new TreeMap<>();
                for (Xattr x : inode.xattrs()) {
                    xs.put(x.nameString(), "0x" + HexFormat.of().formatHex(x.value()));
                }
                assertThat(xs).as(what + " xattrs").isEqualTo(kernelXattrs.getOrDefault(rel, Map.of()));
                if (inode.isSymlink()) {
                    assertThat(new String(inode.symlinkTarget(), StandardCharsets.UTF_8)).as(what + " target")
                            .isEqualTo(Files.readSymbolicLink(k).toString());
                } else if (inode.isDir()) {
                    List<String> names = new ArrayList<>();
                    sb.readdir(inode, 0, (n, ino, t, next) -> {
                        names.add(new String(n, StandardCharsets.UTF_8));
                        return true;
                    });
                    List<String> kernelNames = new ArrayList<>();
                    try (var s = Files.list(k)) {
                        s.forEach(p -> kernelNames.add(p.getFileName().toString()));
                    }
                    kernelNames.add(".");
                    kernelNames.add("..");
                    assertThat(names).as(what + " entries").containsExactlyInAnyOrderElementsOf(kernelNames);
                } else if (inode.isReg()) {
                    files[0]++;
                    compareBytes(sb, inode, k, blobCh, what);
                }
                return true;
            });
        }
        assertThat(seen).as("entries").containsExactlyInAnyOrderElementsOf(blocks.keySet());
        assertThat(files[0]).isGreaterThan(5000);
    }

    private void compareBytes(RafsSuper sb, RafsInode inode, Path k, FileChannel blob, String what) throws IOException {
        final int step = 1 << 20;
        byte[] mine = new byte[step];
        byte[] theirs = new byte[step];
        try (InputStream in = Files.newInputStream(k)) {
            for (long off = 0; off < inode.size(); off += step) {
                int n = (int) Math.min(step, inode.size() - off);
                readReader(sb, inode, off, ByteBuffer.wrap(mine, 0, n), blob);
                int got = in.readNBytes(theirs, 0, n);
                assertThat(got).as(what + " kernel read").isEqualTo(n);
                if (!Arrays.equals(mine, 0, n, theirs, 0, n)) {
                    throw new AssertionError(what + ": bytes differ in [" + off + ", " + (off + n) + ")");
                }
            }
            assertThat(in.read()).as(what + " kernel file longer").isEqualTo(-1);
        }
    }

    /** The read path reduced to what an uncompressed EROFS image needs: bootstrap, blob, zeros. */
    static void readReader(RafsSuper sb, RafsInode inode, long off, ByteBuffer dst, FileChannel blob) throws IOException {
        long end = off + dst.remaining();
        long pos = off;
        for (FileExtent e : inode.extents(off, dst.remaining())) {
            assertThat(e.fileOffset()).isLessThanOrEqualTo(pos);
            long to = Math.min(end, e.fileOffset() + e.length());
            int n = (int) (to - pos);
            ByteBuffer part = dst.slice(dst.position(), n);
            if (e instanceof FileExtent.Hole) {
                while (part.hasRemaining()) {
                    part.put((byte) 0);
                }
            } else if (e instanceof FileExtent.Inline in) {
                sb.readBootstrap(in.bootstrapOffset() + (pos - in.fileOffset()), part);
            } else if (e instanceof FileExtent.Chunk c) {
                long at = c.chunk().compressedOffset() + (pos - c.fileOffset());
                while (part.hasRemaining()) {
                    int r = blob.read(part, at + part.position());
                    assertThat(r).isPositive();
                }
            }
            dst.position(dst.position() + n);
            pos = to;
        }
        assertThat(pos).as("extents cover the range").isEqualTo(end);
    }

    private static Map<String, Long> kernelBlocks(Path mnt) throws Exception {
        Process p = new ProcessBuilder("find", mnt.toString(), "-printf", "%P\\0%b\\0").start();
        String[] parts = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).split("\0");
        assertThat(p.waitFor()).isZero();
        Map<String, Long> out = new HashMap<>();
        for (int i = 0; i + 1 < parts.length; i += 2) {
            out.put(parts[i], Long.parseLong(parts[i + 1]));
        }
        return out;
    }

    private static Map<String, Map<String, String>> kernelXattrs(Path mnt) throws Exception {
        Process p = new ProcessBuilder("getfattr", "-R", "-P", "-d", "-m", "-", "-e", "hex", "--absolute-names",
                mnt.toString()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        Map<String, Map<String, String>> out = new HashMap<>();
        Map<String, String> cur = null;
        String prefix = mnt.toString();
        for (String line : text.split("\n")) {
            if (line.startsWith("# file: ")) {
                String path = line.substring(8);
                String rel = path.equals(prefix) ? "" : path.substring(prefix.length() + 1);
                cur = new TreeMap<>();
                out.put(unescape(rel), cur);
            } else if (!line.isBlank() && cur != null) {
                int eq = line.indexOf('=');
                String name = eq < 0 ? line : line.substring(0, eq);
                String value = eq < 0 ? "0x" : line.substring(eq + 1);
                cur.put(name, value);
            }
        }
        return out;
    }

    /** getfattr escapes bytes outside printable ASCII as backslash octal. */
    private static String unescape(String s) {
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 3 < s.length() && Character.isDigit(s.charAt(i + 1))) {
                b.write(Integer.parseInt(s.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                byte[] bs = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                b.write(bs, 0, bs.length);
            }
        }
        return b.toString(StandardCharsets.UTF_8);
    }
}
