package dev.jnydus.builder;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jnydus.backend.codec.ChunkCodec;
import dev.jnydus.backend.codec.ChunkDigest;
import dev.jnydus.common.Hex;
import dev.jnydus.rafs.metadata.BlobInfo;
import dev.jnydus.rafs.metadata.ChunkRef;
import dev.jnydus.rafs.metadata.FileExtent;
import dev.jnydus.rafs.metadata.RafsInode;
import dev.jnydus.rafs.metadata.RafsSuper;
import dev.jnydus.rafs.metadata.Xattr;
import dev.jnydus.sys.Xattrs;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Everything a round trip must keep, per path: type and mode, owner, size, mtime, link count,
 * device number, symlink target, xattrs, SHA-256 of the content, and which paths share an inode.
 * Taken from a directory (the source, or a kernel mount of the image) or from an image through the
 * project's reader and the blob files.
 */
final class TreeSnapshot {
    record Entry(int mode, long uid, long gid, long size, long mtime, int mtimeNsec, int nlink, long rdev,
            String symlink, Map<String, String> xattrs, String sha256, String inodeGroup) {
    }

    final Map<String, Entry> entries = new TreeMap<>();

    /** Options for {@link #assertSameAs}: what an image is allowed to differ in. */
    record Compare(boolean rootMtime, boolean dirSizes, boolean mtimeNsec, boolean owners, boolean dirNlink) {
        static Compare strict() {
            return new Compare(true, true, true, true, true);
        }

        /** RAFS forces the root mtime to 0 and computes its own directory sizes. */
        static Compare image() {
            return new Compare(false, false, true, true, true);
        }

        Compare withoutNsec() {
            return new Compare(rootMtime, dirSizes, false, owners, dirNlink);
        }

        Compare withoutOwners() {
            return new Compare(rootMtime, dirSizes, mtimeNsec, false, dirNlink);
        }

        /** Overlayfs reports a link count of 1 for merged directories. */
        Compare withoutDirNlink() {
            return new Compare(rootMtime, dirSizes, mtimeNsec, owners, false);
        }
    }

    static TreeSnapshot ofDirectory(Path root) throws IOException {
        TreeSnapshot s = new TreeSnapshot();
        Map<Object, List<String>> groups = new HashMap<>();
        try (var walk = Files.walk(root)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                String rel = "/" + root.relativize(p).toString();
                if (rel.equals("/")) {
                    rel = "/";
                }
                Map<String, Object> a = Files.readAttributes(p, "unix:*", LinkOption.NOFOLLOW_LINKS);
                int mode = (Integer) a.get("mode");
                int type = mode & 0170000;
                Instant t = instant((FileTime) a.get("lastModifiedTime"));
                String symlink = type == 0120000 ? Files.readSymbolicLink(p).toString() : null;
                String sha = type == 0100000 ? sha256(p) : null;
                Map<String, String> x = new TreeMap<>();
                for (byte[] name : Xattrs.list(p)) {
                    byte[] v = Xattrs.get(p, name);
                    x.put(new String(name, StandardCharsets.UTF_8), v == null ? null : Hex.of(v));
                }
                long rdev = ((Long) a.get("rdev")) & 0xFFFF_FFFFL;
                s.entries.put(rel, new Entry(mode, ((Integer) a.get("uid")) & 0xFFFF_FFFFL,
                        ((Integer) a.get("gid")) & 0xFFFF_FFFFL, type == 0040000 ? -1 : (Long) a.get("size"),
                        t.sec, t.nsec, (Integer) a.get("nlink"), isDevice(type) ? rdev : 0, symlink, x, sha, null));
                if (type == 0100000) {
                    groups.computeIfAbsent(a.get("ino") + ":" + a.get("dev"), k -> new ArrayList<>()).add(rel);
                }
            }
        }
        s.setGroups(groups);
        return s;
    }

    private record Instant(long sec, int nsec) {
    }

    private static Instant instant(FileTime t) {
        java.time.Instant i = t.toInstant();
        return new Instant(i.getEpochSecond(), i.getNano());
    }

    private static boolean isDevice(int type) {
        return type == 0020000 || type == 0060000;
    }

    private void setGroups(Map<Object, List<String>> groups) {
        for (List<String> g : groups.values()) {
            if (g.size() > 1) {
                String key = String.join("|", new TreeMap<String, String>() {
                    {
                        g.forEach(x -> put(x, x));
                    }
                }.keySet());
                for (String p : g) {
                    Entry e = entries.get(p);
                    entries.put(p, new Entry(e.mode, e.uid, e.gid, e.size, e.mtime, e.mtimeNsec, e.nlink, e.rdev,
                            e.symlink, e.xattrs, e.sha256, key));
                }
            }
        }
    }

    /** Reads an image through the project's reader; file data from {@code blobDir/<blob id>}. */
    static TreeSnapshot ofImage(Path bootstrap, Path blobDir) throws IOException {
        TreeSnapshot s = new TreeSnapshot();
        Map<Object, List<String>> groups = new HashMap<>();
        try (RafsSuper sb = RafsSuper.open(bootstrap)) {
            List<BlobInfo> blobs = sb.blobs();
            Map<Integer, FileChannel> channels = new HashMap<>();
            try {
                for (BlobInfo b : blobs) {
                    channels.put(b.index(), FileChannel.open(blobDir.resolve(b.blobId()), StandardOpenOption.READ));
                }
                RafsInode root = sb.inode(sb.rootIno());
                s.walkImage(sb, root, "/", channels, groups);
            } finally {
                for (FileChannel c : channels.values()) {
                    c.close();
                }
            }
        }
        s.setGroups(groups);
        return s;
    }

    private void walkImage(RafsSuper sb, RafsInode inode, String path, Map<Integer, FileChannel> blobs,
            Map<Object, List<String>> groups) throws IOException {
        Map<String, String> x = new TreeMap<>();
        for (Xattr xa : inode.xattrs()) {
            x.put(xa.nameString(), Hex.of(xa.value()));
        }
        String symlink = inode.isSymlink() ? new String(inode.symlinkTarget(), StandardCharsets.UTF_8) : null;
        String sha = inode.isReg() ? readFile(sb, inode, blobs) : null;
        int type = inode.type();
        entries.put(path, new Entry(inode.mode(), inode.uid(), inode.gid(), inode.isDir() ? -1 : inode.size(),
                inode.mtime(), inode.mtimeNsec(), inode.nlink(), isDevice(type) ? inode.rdev() & 0xFFFF_FFFFL : 0,
                symlink, x, sha, null));
        if (inode.isReg()) {
            groups.computeIfAbsent(inode.ino(), k -> new ArrayList<>()).add(path);
        }
        if (inode.isDir()) {
            List<Object[]> children = new ArrayList<>();
            sb.readdir(inode, 0, (name, ino, t, next) -> {
                String n = new String(name, StandardCharsets.UTF_8);
                if (!n.equals(".") && !n.equals("..")) {
                    children.add(new Object[] {n, ino});
                }
                return true;
            });
            for (Object[] c : children) {
                String childPath = path.equals("/") ? "/" + c[0] : path + "/" + c[0];
                walkImage(sb, sb.inode((Long) c[1]), childPath, blobs, groups);
            }
        }
    }

    private static String readFile(RafsSuper sb, RafsInode inode, Map<Integer, FileChannel> blobs)
            throws IOException {
        MessageDigest md = ChunkDigest.sha256();
        long pos = 0;
        for (FileExtent fe : inode.extents(0, inode.size())) {
            assertThat(fe.fileOffset()).as("extent offset").isEqualTo(pos);
            if (fe instanceof FileExtent.Chunk c) {
                ChunkRef r = c.chunk();
                BlobInfo blob = sb.blobs().get(r.blobIndex());
                ByteBuffer stored = ByteBuffer.allocate(r.compressedSize());
                FileChannel ch = blobs.get(r.blobIndex());
                while (stored.hasRemaining()) {
                    if (ch.read(stored, r.compressedOffset() + stored.position()) < 0) {
                        throw new IOException("blob " + blob.blobId() + " too short for " + r);
                    }
                }
                byte[] data = new byte[r.uncompressedSize()];
                if (r.compressed()) {
                    ChunkCodec.decompress(blob.compressor(), stored.array(), stored.capacity(), data, data.length);
                } else {
                    assertThat(r.compressedSize()).isEqualTo(r.uncompressedSize());
                    System.arraycopy(stored.array(), 0, data, 0, data.length);
                }
                assertThat(ChunkDigest.matches(sb.digester(), r.digest(), data, 0, data.length))
                        .as("digest of chunk %s", r).isTrue();
                md.update(data);
            } else if (fe instanceof FileExtent.Hole h) {
                md.update(new byte[(int) h.length()]);
            } else {
                throw new AssertionError("unexpected extent " + fe);
            }
            pos += fe.length();
        }
        assertThat(pos).isEqualTo(inode.size());
        return Hex.of(md.digest());
    }

    /** SHA-256 of a file's content, in hex. */
    static String sha256(Path p) throws IOException {
        MessageDigest md = ChunkDigest.sha256();
        byte[] buf = new byte[1 << 20];
        try (InputStream in = Files.newInputStream(p)) {
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
        }
        return Hex.of(md.digest());
    }

    /** Asserts that {@code image} shows exactly this tree, up to what {@code c} allows. */
    void assertSameAs(TreeSnapshot image, Compare c) {
        assertThat(image.entries.keySet()).as("paths").containsExactlyElementsOf(entries.keySet());
        List<String> diffs = new ArrayList<>();
        for (Map.Entry<String, Entry> e : entries.entrySet()) {
            Entry want = e.getValue();
            Entry got = image.entries.get(e.getKey());
            boolean dir = (want.mode & 0170000) == 0040000;
            boolean root = e.getKey().equals("/");
            Entry w = new Entry(want.mode, c.owners ? want.uid : 0, c.owners ? want.gid : 0,
                    dir && !c.dirSizes ? -1 : want.size,
                    root && !c.rootMtime ? 0 : want.mtime, root && !c.rootMtime || !c.mtimeNsec ? 0 : want.mtimeNsec,
                    dir && !c.dirNlink ? 0 : want.nlink, want.rdev, want.symlink, want.xattrs, want.sha256,
                    want.inodeGroup);
            Entry g = new Entry(got.mode, c.owners ? got.uid : 0, c.owners ? got.gid : 0,
                    dir && !c.dirSizes ? -1 : got.size,
                    root && !c.rootMtime ? 0 : got.mtime, root && !c.rootMtime || !c.mtimeNsec ? 0 : got.mtimeNsec,
                    dir && !c.dirNlink ? 0 : got.nlink, got.rdev, got.symlink, got.xattrs, got.sha256,
                    got.inodeGroup);
            if (!w.equals(g)) {
                diffs.add(e.getKey() + "\n  want " + w + "\n  got  " + g);
            }
        }
        assertThat(diffs).as("entries that differ").isEmpty();
    }
}
