package dev.jnydus.rafs.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jnydus.backend.localfs.LocalFsBackend;
import dev.jnydus.cache.device.BlobDevice;
import dev.jnydus.cache.device.CacheFactory;
import dev.jnydus.cache.device.CacheManager;
import dev.jnydus.cache.device.CacheOptions;
import dev.jnydus.cache.device.CacheType;
import dev.jnydus.common.Errno;
import dev.jnydus.common.FsException;
import dev.jnydus.fuse.api.Attr;
import dev.jnydus.fuse.api.Context;
import dev.jnydus.fuse.api.Entry;
import dev.jnydus.fuse.api.OpenReply;
import dev.jnydus.fuse.api.StatFs;
import dev.jnydus.rafs.metadata.RafsSuper;
import dev.jnydus.testkit.Fixtures;
import dev.jnydus.testkit.ManualTicker;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The upstream-built v5 fixture served through {@link RafsFileSystem}'s FUSE operations (no
 * kernel involved): the tree, the bytes and the runtime attribute rules must be upstream's.
 */
class RafsFileSystemFixtureTest {
    private static final Context CTX = new Context(1, 0, 0, 1);
    private static final long NOW = 1_750_000_000L;
    private static final Path FIXTURE = Fixtures.dir(Fixtures.V5_SHA256_NOCOMPRESS);
    private static final String BLOB = "7334a2594e133cf8ae364189c2276b090fc490c627bcc3fb1077f0419a538e00";

    @TempDir
    Path tmp;

    private RafsSuper sb;
    private CacheManager cache;
    private BlobDevice device;
    private RafsFileSystem fs;

    @BeforeEach
    void open() throws IOException {
        mount(FIXTURE.resolve("blobs"), CacheType.DUMMYCACHE);
    }

    private void mount(Path blobDir, CacheType type) throws IOException {
        close();
        sb = RafsSuper.open(FIXTURE.resolve("bootstrap"));
        CacheOptions.Builder o = CacheOptions.builder(type);
        if (type.isFileBacked()) {
            o.workDir(tmp.resolve("cache"));
        }
        cache = CacheFactory.builder(o.build(), LocalFsBackend.ofDir(blobDir)).build();
        device = cache.open(new CacheBlobs(sb).blobs());
        fs = RafsFileSystem.builder(sb).device(device).owner(1234, 5678)
                .clock(Clock.fixed(Instant.ofEpochSecond(NOW), ZoneOffset.UTC)).ticker(new ManualTicker()).build();
    }

    @AfterEach
    void close() throws IOException {
        if (device != null) {
            device.close();
        }
        if (cache != null) {
            cache.close();
        }
        if (sb != null) {
            sb.close();
        }
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private Entry walk(String path) throws FsException {
        Entry e = new Entry(fs.rootIno(), 0, fs.getattr(CTX, fs.rootIno(), OptionalLong.empty()).attr(),
                Duration.ZERO, Duration.ZERO);
        for (String part : path.split("/")) {
            if (!part.isEmpty()) {
                e = fs.lookup(CTX, e.nodeId(), b(part));
                assertThat(e.isNegative()).as(path).isFalse();
            }
        }
        return e;
    }

    /** Reads a whole file in reads of {@code step} bytes, as the kernel would. */
    private byte[] readAll(long ino, long size, int step) throws FsException {
        ByteBuffer out = ByteBuffer.allocate((int) size);
        long off = 0;
        while (true) {
            ByteBuffer dst = ByteBuffer.allocateDirect(step);
            fs.read(CTX, ino, 0, off, dst);
            if (dst.position() == 0) {
                break;
            }
            dst.flip();
            off += dst.remaining();
            out.put(dst);
        }
        assertThat(off).isEqualTo(size);
        return out.array();
    }

    private record Node(String path, String type, String target) {
    }

    /** Depth-first listing through readdir and lookup, in the image's order. */
    private void list(long dir, String prefix, List<Node> out, Map<String, Entry> entries) throws FsException {
        List<String> names = new ArrayList<>();
        fs.readdir(CTX, dir, 0, 0, (name, ino, type, next) -> {
            String n = new String(name, StandardCharsets.UTF_8);
            if (!n.equals(".") && !n.equals("..")) {
                names.add(n);
            }
            return true;
        });
        for (String n : names) {
            Entry e = fs.lookup(CTX, dir, b(n));
            String path = prefix + "/" + n;
            entries.put(path, e);
            int type = e.attr().mode() & Attr.S_IFMT;
            if (type == Attr.S_IFDIR) {
                out.add(new Node(path, "directory", null));
                list(e.nodeId(), path, out, entries);
            } else if (type == Attr.S_IFLNK) {
                out.add(new Node(path, "link", new String(fs.readlink(CTX, e.nodeId()), StandardCharsets.UTF_8)));
            } else {
                out.add(new Node(path, "file", null));
            }
        }
    }

    private static void expected(JsonNode node, String prefix, List<Node> out) {
        for (JsonNode c : node.path("contents")) {
            String path = prefix + "/" + c.get("name").asText();
            String type = c.get("type").asText();
            out.add(new Node(path, type, type.equals("link") ? c.get("target").asText() : null));
            if (type.equals("directory")) {
                expected(c, path, out);
            }
        }
    }

    @Test
    void treeSymlinksAndFileBytesAreTheFixtures() throws Exception {
        String tree = Files.readString(FIXTURE.resolve("tree.json"));
        int end = tree.indexOf("\n]\n") + 3;
        JsonNode json = new ObjectMapper().readTree(tree.substring(0, end));
        List<Node> want = new ArrayList<>();
        expected(json.get(0), "", want);
        Map<String, String> wantMd5 = new TreeMap<>();
        for (String line : tree.substring(end).split("\n")) {
            if (line.matches("[0-9a-f]{32}  /.*")) {
                wantMd5.put(line.substring(34), line.substring(0, 32));
            }
        }

        List<Node> got = new ArrayList<>();
        Map<String, Entry> entries = new HashMap<>();
        list(fs.rootIno(), "", got, entries);
        assertThat(got).containsExactlyInAnyOrderElementsOf(want);

        Map<String, String> gotMd5 = new TreeMap<>();
        for (Node n : got) {
            if (n.type().equals("file")) {
                Entry e = entries.get(n.path());
                byte[] data = readAll(e.nodeId(), e.attr().size(), 128 << 10);
                gotMd5.put(n.path(), HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(data)));
                // Odd-sized reads that straddle chunk boundaries give the same bytes.
                if (data.length > 0) {
                    assertThat(readAll(e.nodeId(), e.attr().size(), 1_000_003)).isEqualTo(data);
                }
            }
        }
        assertThat(gotMd5).isEqualTo(wantMd5);
    }

    @Test
    void attributesFollowUpstreamsRuntimeRules() throws Exception {
        Attr root = fs.getattr(CTX, fs.rootIno(), OptionalLong.empty()).attr();
        assertThat(fs.rootIno()).isEqualTo(1);
        assertThat(root.mode()).as("root forced to 0755").isEqualTo(Attr.S_IFDIR | 0755);
        assertThat(root.mtime()).as("mtime 0 becomes the instance time").isEqualTo(NOW);
        assertThat(root.atime()).isEqualTo(NOW);
        assertThat(root.uid()).as("no EXPLICIT_UID_GID: the daemon's owner").isEqualTo(1234);
        assertThat(root.gid()).isEqualTo(5678);
        assertThat(root.blksize()).isEqualTo(4096);

        Entry dir = walk("/hardlink-test");
        assertThat(dir.attr().mode()).isEqualTo(Attr.S_IFDIR | 0775);
        assertThat(dir.attr().mtime()).isEqualTo(1668232305L);
        assertThat(dir.entryTimeout()).isEqualTo(Duration.ofSeconds(1L << 32));
        assertThat(dir.attrTimeout()).isEqualTo(Duration.ofSeconds(1L << 32));

        Entry a = walk("/hardlink-test/foo");
        Entry c = walk("/normal-file-test/test.sh");
        assertThat(a.nodeId()).as("hardlinks share the inode").isEqualTo(c.nodeId());
        assertThat(a.attr().ino()).isEqualTo(a.nodeId());
        assertThat(a.attr().nlink()).isEqualTo(3);
        assertThat(a.attr().size()).isEqualTo(944);
        assertThat(a.attr().blocks()).isEqualTo(2);

        Entry neg = fs.lookup(CTX, dir.nodeId(), b("absent"));
        assertThat(neg.isNegative()).isTrue();
        assertThat(neg.entryTimeout()).as("absence cached as long as entries").isEqualTo(Duration.ofSeconds(1L << 32));
        assertThat(fs.lookup(CTX, dir.nodeId(), b(".")).nodeId()).isEqualTo(dir.nodeId());
        assertThat(fs.lookup(CTX, dir.nodeId(), b("..")).nodeId()).isEqualTo(1);
        assertThat(fs.lookup(CTX, 1, b("..")).nodeId()).isEqualTo(1);
        assertThatThrownBy(() -> fs.lookup(CTX, a.nodeId(), b("x")))
                .isInstanceOfSatisfying(FsException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ENOTDIR));
        assertThatThrownBy(() -> fs.getattr(CTX, 999_999, OptionalLong.empty()))
                .isInstanceOfSatisfying(FsException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ENOENT));
    }

    @Test
    void openStatfsXattrsAccessAndWritesAsUpstream() throws Exception {
        Entry f = walk("/normal-file-test/test.sh");
        assertThat(fs.open(CTX, f.nodeId(), 0)).isEqualTo(new OpenReply(0, OpenReply.KEEP_CACHE));
        assertThat(fs.opendir(CTX, 1, 0).flags()).isEqualTo(OpenReply.KEEP_CACHE | OpenReply.CACHE_DIR);
        StatFs st = fs.statfs(CTX, 1);
        assertThat(st).isEqualTo(new StatFs(0, 0, 0, 51, 0, 512, 255, 0));
        assertThatThrownBy(() -> fs.getxattr(CTX, f.nodeId(), b("user.x")))
                .as("no HAS_XATTR flag: ENOSYS, so the kernel stops asking")
                .isInstanceOfSatisfying(FsException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ENOSYS));
        RafsFileSystem withXattr = RafsFileSystem.builder(sb).device(device).enableXattr(true).build();
        assertThatThrownBy(() -> withXattr.getxattr(CTX, f.nodeId(), b("user.x")))
                .isInstanceOfSatisfying(FsException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ENODATA));
        assertThat(withXattr.listxattr(CTX, f.nodeId())).isEmpty();
        RafsFileSystem provenFree = RafsFileSystem.builder(sb).device(device).enableXattr(true).xattrFree(true).build();
        assertThatThrownBy(() -> provenFree.getxattr(CTX, f.nodeId(), b("security.selinux")))
                .as("a walk found no xattr: ENOSYS even with enable_xattr, so the kernel stops asking")
                .isInstanceOfSatisfying(FsException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ENOSYS));
        assertThat(provenFree.listxattr(CTX, f.nodeId())).as("listxattr still answers").isEmpty();

        fs.access(CTX, f.nodeId(), 4);
        assertThatThrownBy(() -> fs.access(new Context(2, 4321, 4321, 1), walk("/normal-file-test").nodeId(), 2))
                .isInstanceOfSatisfying(FsException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EACCES));
        assertThatThrownBy(() -> fs.unlink(CTX, 1, b("hardlink-test")))
                .isInstanceOfSatisfying(FsException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EROFS));
        assertThatThrownBy(() -> fs.write(CTX, f.nodeId(), 0, 0, ByteBuffer.allocate(1), 0, 0))
                .isInstanceOfSatisfying(FsException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EROFS));
        assertThatThrownBy(() -> fs.read(CTX, 1, 0, 0, ByteBuffer.allocate(1)))
                .isInstanceOfSatisfying(FsException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EISDIR));
        assertThatThrownBy(() -> fs.readlink(CTX, f.nodeId()))
                .isInstanceOfSatisfying(FsException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EINVAL));

        // Reads at and past the end return nothing; a read never runs past the size.
        ByteBuffer dst = ByteBuffer.allocate(4096);
        fs.read(CTX, f.nodeId(), 0, 944, dst);
        assertThat(dst.position()).isZero();
        fs.read(CTX, f.nodeId(), 0, 900, dst);
        assertThat(dst.position()).isEqualTo(44);
        assertThat(fs.lseek(CTX, f.nodeId(), 0, 10, RafsFileSystem.SEEK_DATA)).isEqualTo(10);
        assertThat(fs.lseek(CTX, f.nodeId(), 0, 10, RafsFileSystem.SEEK_HOLE)).isEqualTo(944);
        assertThatThrownBy(() -> fs.lseek(CTX, f.nodeId(), 0, 944, RafsFileSystem.SEEK_DATA))
                .isInstanceOfSatisfying(FsException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ENXIO));
    }

    @Test
    void readdirplusListsEveryEntryWithItsAttributesAndResumesAtOffsets() throws Exception {
        long dir = walk("/normal-file-test/holefiles").nodeId();
        List<String> all = new ArrayList<>();
        fs.readdir(CTX, dir, 0, 0, (name, ino, type, next) -> all.add(new String(name, StandardCharsets.UTF_8)));
        List<String> plus = new ArrayList<>();
        long[] off = {0};
        while (true) {
            int before = plus.size();
            fs.readdirplus(CTX, dir, 0, off[0], (name, next, e) -> {
                if (plus.size() - before == 3) {
                    return false;
                }
                plus.add(new String(name, StandardCharsets.UTF_8));
                off[0] = next;
                String n = new String(name, StandardCharsets.UTF_8);
                if (!n.equals(".") && !n.equals("..")) {
                    assertThat(e.attr().mode() & Attr.S_IFMT).isEqualTo(Attr.S_IFREG);
                }
                return true;
            });
            if (plus.size() == before) {
                break;
            }
        }
        assertThat(plus).isEqualTo(all);
        assertThat(all).contains(".", "..", "chsum", "head-hole-1", "tail-hole-5000");
    }

    @Test
    void aMissingBlobGivesEioAndTheRestKeepsWorking() throws Exception {
        Path empty = Files.createDirectory(tmp.resolve("no-blobs"));
        mount(empty, CacheType.BLOBCACHE);
        Entry f = walk("/normal-file-test/test.sh");
        ByteBuffer dst = ByteBuffer.allocateDirect(4096);
        assertThatThrownBy(() -> fs.read(CTX, f.nodeId(), 0, 0, dst))
                .isInstanceOfSatisfying(FsException.class, e -> {
                    assertThat(e.errno()).isEqualTo(Errno.EIO);
                    assertThat(e.getMessage()).contains(BLOB);
                });
        assertThat(dst.position()).as("nothing half-delivered").isZero();
        // Metadata keeps working, and once the blob appears reads succeed without a restart.
        assertThat(walk("/symlink-test/root-2").attr().size()).isEqualTo(7);
        Files.copy(FIXTURE.resolve("blobs").resolve(BLOB), empty.resolve(BLOB));
        assertThat(readAll(f.nodeId(), 944, 4096)).hasSize(944);
    }
}
