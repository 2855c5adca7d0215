package dev.jnydus.fuse.vfs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jnydus.common.Errno;
import dev.jnydus.common.FsException;
import dev.jnydus.fuse.api.Attr;
import dev.jnydus.fuse.api.Context;
import dev.jnydus.fuse.api.Entry;
import dev.jnydus.fuse.api.FileSystem;
import dev.jnydus.fuse.api.FsOptions;
import dev.jnydus.testkit.InMemoryFileSystem;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** The namespace: node 1 routing, pseudo directories, inode-index packing, open/opendir policy. */
class VfsTest {
    private static final Context CTX = new Context(1, 0, 0, 1);
    private static final long IDX1 = 1L << 56;

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static InMemoryFileSystem image(String marker) {
        return InMemoryFileSystem.builder().file("/hello", b(marker)).dir("/sub").file("/sub/x", b("x"))
                .symlink("/link", "hello").build();
    }

    private static Vfs vfs() {
        return new Vfs(FsOptions.UPSTREAM_DEFAULTS, Clock.fixed(Instant.ofEpochSecond(1_700_000_000), ZoneOffset.UTC));
    }

    private record Dirent(String name, long ino, int type, long next) {
    }

    private static List<Dirent> list(Vfs v, long node, long offset) throws FsException {
        List<Dirent> out = new ArrayList<>();
        v.readdir(CTX, node, 0, offset, (name, ino, type, next) -> out.add(new Dirent(new String(name,
                StandardCharsets.UTF_8), ino, type, next)));
        return out;
    }

    @Test
    void aSuccessorRestoringTheLayoutResolvesTheNodeIdsThePredecessorHandedOut() throws Exception {
        // The predecessor: mounts come and go, so pseudo inodes and indices are not a fresh replay's.
        Vfs old = vfs();
        old.attach("/a", image("a"), 1);
        old.attach("/x/b", image("b"), 1);
        old.detach("/a");
        int cIndex = old.attach("/c", image("c"), 1);
        long bDir = old.lookup(CTX, 1, b("x")).nodeId();
        Entry bHello = old.lookup(CTX, old.lookup(CTX, bDir, b("b")).nodeId(), b("hello"));
        long cRoot = old.lookup(CTX, 1, b("c")).nodeId();
        VfsLayout layout = old.layout();

        Vfs next = vfs();
        next.restoreLayout(layout);
        next.attachAt("/x/b", image("b"), 1, 2);
        next.attachAt("/c", image("c"), 1, cIndex);
        assertThat(next.layout()).isEqualTo(layout);
        // The kernel's node ids, kept across the takeover, reach the same files.
        assertThat(next.getattr(CTX, bDir, OptionalLong.empty()).attr().mode() & Attr.S_IFMT).isEqualTo(Attr.S_IFDIR);
        ByteBuffer dst = ByteBuffer.allocate(8);
        next.read(CTX, bHello.nodeId(), 0, 0, dst);
        assertThat(new String(dst.array(), 0, dst.position(), StandardCharsets.UTF_8)).isEqualTo("b");
        assertThat(next.lookup(CTX, 1, b("c")).nodeId()).isEqualTo(cRoot);
        // New mounts continue where the predecessor's counters were.
        assertThat(next.attach("/d", image("d"), 1)).isEqualTo(old.attach("/d", image("d"), 1));
        assertThat(next.lookup(CTX, 1, b("d")).nodeId() >>> 56).isEqualTo(old.lookup(CTX, 1, b("d")).nodeId() >>> 56);

        assertThatThrownBy(() -> next.attachAt("/e", image("e"), 1, cIndex)).isInstanceOfSatisfying(
                FsException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EBUSY));
        assertThatThrownBy(() -> next.restoreLayout(layout)).isInstanceOf(FsException.class);
        assertThatThrownBy(next::resetLayout).as("backends attached").isInstanceOf(FsException.class);
        Vfs failed = vfs();
        failed.restoreLayout(layout);
        failed.resetLayout();
        failed.restoreLayout(layout);
        assertThat(failed.layout()).isEqualTo(layout);
        assertThatThrownBy(() -> vfs().restoreLayout(new VfsLayout(List.of(new VfsLayout.Dir(5, 9, "orphan")), 6, 1)))
                .isInstanceOf(FsException.class).hasMessageContaining("orphan");
        assertThatThrownBy(() -> vfs().restoreLayout(new VfsLayout(List.of(new VfsLayout.Dir(5, 1, "a")), 5, 1)))
                .isInstanceOf(FsException.class).hasMessageContaining("again");
    }

    @Test
    void backendAtRootIsNodeOneAndEveryOtherNodeCarriesItsIndex() throws Exception {
        Vfs v = vfs();
        InMemoryFileSystem fs = image("one");
        assertThat(v.attach("/", fs, 1)).isEqualTo(1);

        Attr root = v.getattr(CTX, 1, OptionalLong.empty()).attr();
        assertThat(root.ino()).as("st_ino of the root, as upstream packs it").isEqualTo(IDX1 | 1);
        assertThat(root.mode() & Attr.S_IFMT).isEqualTo(Attr.S_IFDIR);

        Entry hello = v.lookup(CTX, 1, b("hello"));
        long helloIno = fs.nodeId("/hello");
        assertThat(hello.nodeId()).isEqualTo(IDX1 | helloIno);
        assertThat(hello.attr().ino()).isEqualTo(hello.nodeId());
        assertThat(fs.lookupCount(helloIno)).isEqualTo(1);

        ByteBuffer dst = ByteBuffer.allocate(16);
        v.read(CTX, hello.nodeId(), 0, 0, dst);
        assertThat(new String(dst.array(), 0, dst.position(), StandardCharsets.UTF_8)).isEqualTo("one");

        Entry sub = v.lookup(CTX, 1, b("sub"));
        Entry x = v.lookup(CTX, sub.nodeId(), b("x"));
        assertThat(x.nodeId() >>> 56).isEqualTo(1);
        assertThat(new String(v.readlink(CTX, v.lookup(CTX, 1, b("link")).nodeId()), StandardCharsets.UTF_8))
                .isEqualTo("hello");

        // Directory entries report the packed numbers too, "." and ".." included.
        List<Dirent> top = list(v, 1, 0);
        assertThat(top).extracting(Dirent::name).contains(".", "..", "hello", "sub", "link");
        assertThat(top).allSatisfy(d -> assertThat(d.ino() >>> 56).isEqualTo(1));
        assertThat(top).filteredOn(d -> d.name().equals("hello")).extracting(Dirent::ino).containsExactly(
                hello.nodeId());

        v.readdirplus(CTX, 1, 0, 0, (name, next, e) -> {
            assertThat(e.nodeId()).isEqualTo(e.attr().ino());
            assertThat(e.nodeId() >>> 56).isEqualTo(1);
            return true;
        });

        long held = fs.lookupCount(helloIno);
        assertThat(held).as("lookup plus readdirplus").isEqualTo(2);
        v.forget(CTX, hello.nodeId(), held);
        assertThat(fs.lookupCount(helloIno)).as("forgets reach the backend with its own inode number").isZero();
    }

    @Test
    void virtualMountpointHangsTheBackendUnderPseudoDirectories() throws Exception {
        Vfs v = vfs();
        InMemoryFileSystem fs = image("deep");
        int index = v.attach("/a/b", fs, 1);

        assertThat(v.getattr(CTX, 1, OptionalLong.empty()).attr().mode()).isEqualTo(Attr.S_IFDIR | 0777);
        assertThat(list(v, 1, 0)).extracting(Dirent::name).containsExactly(".", "..", "a");
        Entry a = v.lookup(CTX, 1, b("a"));
        assertThat(a.nodeId() >>> 56).as("pseudo directories have index 0").isZero();
        assertThat(a.attr().mtime()).isEqualTo(1_700_000_000L);
        Entry bDir = v.lookup(CTX, a.nodeId(), b("b"));
        assertThat(bDir.nodeId()).as("crossing into the backend root").isEqualTo(((long) index << 56) | 1);
        assertThat(list(v, a.nodeId(), 0)).filteredOn(d -> d.name().equals("b")).extracting(Dirent::ino)
                .containsExactly(bDir.nodeId());
        List<Entry> plus = new ArrayList<>();
        v.readdirplus(CTX, a.nodeId(), 0, 0, (name, next, e) -> plus.add(e));
        assertThat(plus.get(2).nodeId()).isEqualTo(bDir.nodeId());

        Entry hello = v.lookup(CTX, bDir.nodeId(), b("hello"));
        ByteBuffer dst = ByteBuffer.allocate(16);
        v.read(CTX, hello.nodeId(), 0, 0, dst);
        assertThat(dst.position()).isEqualTo(4);

        assertThat(v.lookup(CTX, a.nodeId(), b("..")).nodeId()).isEqualTo(1);
        assertThatThrownBy(() -> v.lookup(CTX, 1, b("nope")))
                .isInstanceOfSatisfying(FsException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ENOENT));
        assertThatThrownBy(() -> v.mkdir(CTX, 1, b("new"), 0755, 0))
                .isInstanceOfSatisfying(FsException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EROFS));
        assertThatThrownBy(() -> v.getxattr(CTX, 1, b("user.x")))
                .as("never ENOSYS on a pseudo directory: it would turn xattrs off for every backend")
                .isInstanceOfSatisfying(FsException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ENODATA));
        assertThat(v.attachPoints()).containsExactly("/a/b");
    }

    @Test
    void readdirOffsetsOfPseudoDirectoriesResumeWhereTheyStopped() throws Exception {
        Vfs v = vfs();
        for (int i = 0; i < 5; i++) {
            v.attach("/m" + i, image("m" + i), 1);
        }
        List<Dirent> all = list(v, 1, 0);
        assertThat(all).hasSize(7);
        List<String> paged = new ArrayList<>();
        long off = 0;
        while (true) {
            List<Dirent> page = new ArrayList<>();
            v.readdir(CTX, 1, 0, off, (name, ino, type, next) -> page.size() < 2
                    && page.add(new Dirent(new String(name, StandardCharsets.UTF_8), ino, type, next)));
            if (page.isEmpty()) {
                break;
            }
            page.forEach(d -> paged.add(d.name()));
            off = page.get(page.size() - 1).next();
        }
        assertThat(paged).isEqualTo(all.stream().map(Dirent::name).toList());
    }

    @Test
    void detachMakesNodesStaleAndKeepsThePseudoDirectory() throws Exception {
        Vfs v = vfs();
        InMemoryFileSystem fs = image("gone");
        v.attach("/x", fs, 1);
        Entry x = v.lookup(CTX, 1, b("x"));
        Entry hello = v.lookup(CTX, x.nodeId(), b("hello"));
        assertThat(v.detach("/x")).isSameAs(fs);
        assertThatThrownBy(() -> v.getattr(CTX, hello.nodeId(), OptionalLong.empty()))
                .isInstanceOfSatisfying(FsException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ENOENT));
        Entry again = v.lookup(CTX, 1, b("x"));
        assertThat(again.nodeId() >>> 56).as("an empty pseudo directory now").isZero();
        v.forget(CTX, hello.nodeId(), 1);
        assertThatThrownBy(() -> v.detach("/x"))
                .isInstanceOfSatisfying(FsException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EINVAL));
        assertThatThrownBy(() -> v.attach("relative", fs, 1)).isInstanceOf(FsException.class);
        assertThatThrownBy(() -> v.attach("/a/../b", fs, 1)).isInstanceOf(FsException.class);
        assertThatThrownBy(() -> v.attach("/big", fs, Vfs.MAX_INO + 1)).isInstanceOf(FsException.class);
    }

    @Test
    void openAndOpendirAnswerEnosysOnceTheKernelAcceptedNoOpen() throws Exception {
        Vfs v = vfs();
        InMemoryFileSystem fs = image("o");
        v.attach("/", fs, 1);
        long hello = v.lookup(CTX, 1, b("hello")).nodeId();
        assertThat(v.init(FsOptions.of(FsOptions.NO_OPEN_SUPPORT | FsOptions.NO_OPENDIR_SUPPORT | FsOptions.ASYNC_READ)))
                .isEqualTo(FsOptions.UPSTREAM_DEFAULTS);
        assertThatThrownBy(() -> v.open(CTX, hello, 0))
                .isInstanceOfSatisfying(FsException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ENOSYS));
        assertThatThrownBy(() -> v.opendir(CTX, 1, 0))
                .isInstanceOfSatisfying(FsException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ENOSYS));
        assertThat(fs.openHandles()).isZero();

        Vfs old = vfs();
        old.attach("/", image("p"), 1);
        old.init(FsOptions.of(FsOptions.ASYNC_READ));
        long h2 = old.lookup(CTX, 1, b("hello")).nodeId();
        assertThat(old.open(CTX, h2, 0)).isNotNull();
        assertThat(old.opendir(CTX, 1, 0)).isNotNull();
    }

    @Test
    void getxattrEnosysReachesTheKernelOnlyFromTheOneImageAtRoot() throws Exception {
        FileSystem none = wanting(FsOptions.UPSTREAM_DEFAULTS); // getxattr: ENOSYS, FileSystem's default
        Vfs dedicated = vfs();
        dedicated.attach("/", none, 1);
        assertThatThrownBy(() -> dedicated.getxattr(CTX, 1, b("security.selinux")))
                .as("the one image: the kernel may stop asking")
                .isInstanceOfSatisfying(FsException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ENOSYS));

        Vfs shared = vfs();
        int a = shared.attach("/a", none, 1);
        assertThatThrownBy(() -> shared.getxattr(CTX, Vfs.nodeId(a, 1), b("security.selinux")))
                .as("a shared daemon's image: ENOSYS would switch xattrs off for the images mounted later")
                .isInstanceOfSatisfying(FsException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ENODATA));
        int x = shared.attach("/x", InMemoryFileSystem.builder().file("/f", b("f")).xattr("/f", "user.tag", b("v"))
                .build(), 1);
        Entry f = shared.lookup(CTX, Vfs.nodeId(x, 1), b("f"));
        assertThat(shared.getxattr(CTX, f.nodeId(), b("user.tag"))).isEqualTo(b("v"));

        Vfs two = vfs();
        two.attach("/", none, 1);
        two.attach("/sub", image("s"), 1);
        assertThatThrownBy(() -> two.getxattr(CTX, 1, b("security.selinux")))
                .as("the image at / beside another")
                .isInstanceOfSatisfying(FsException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ENODATA));
    }

    @Test
    void listxattrEnosysReachesTheKernelOnlyFromTheOneImageAtRoot() throws Exception {
        FileSystem none = wanting(FsOptions.UPSTREAM_DEFAULTS); // listxattr: ENOSYS, FileSystem's default
        Vfs dedicated = vfs();
        dedicated.attach("/", none, 1);
        assertThatThrownBy(() -> dedicated.listxattr(CTX, 1))
                .isInstanceOfSatisfying(FsException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ENOSYS));

        Vfs shared = vfs();
        int a = shared.attach("/a", none, 1);
        assertThat(shared.listxattr(CTX, Vfs.nodeId(a, 1))).as("an empty list, not ENOSYS, in a shared daemon")
                .isEmpty();
    }

    /** A backend that answers INIT with {@code want} and nothing else. */
    private static FileSystem wanting(FsOptions want) {
        return new FileSystem() {
            @Override
            public FsOptions init(FsOptions capable) {
                return want;
            }
        };
    }

    @Test
    void posixAclOnlyWhenEveryBackendAttachedAtInitAsksForIt() throws Exception {
        FsOptions offered = FsOptions.UPSTREAM_DEFAULTS.with(FsOptions.POSIX_ACL);
        FsOptions acl = FsOptions.UPSTREAM_DEFAULTS.with(FsOptions.POSIX_ACL);
        Clock clock = Clock.fixed(Instant.ofEpochSecond(1_700_000_000), ZoneOffset.UTC);

        Vfs both = new Vfs(offered, clock);
        both.attach("/a", wanting(acl), 1);
        both.attach("/b", wanting(acl), 1);
        assertThat(both.init(offered).contains(FsOptions.POSIX_ACL)).isTrue();

        Vfs mixed = new Vfs(offered, clock);
        mixed.attach("/a", wanting(acl), 1);
        mixed.attach("/b", wanting(FsOptions.UPSTREAM_DEFAULTS), 1);
        FsOptions got = mixed.init(offered);
        assertThat(got.contains(FsOptions.POSIX_ACL)).as("one backend without it").isFalse();
        assertThat(got.contains(FsOptions.NO_OPEN_SUPPORT)).isTrue();

        Vfs empty = new Vfs(offered, clock);
        assertThat(empty.init(offered).contains(FsOptions.POSIX_ACL)).as("no backend yet: unknown images later")
                .isFalse();

        Vfs notOffered = new Vfs(FsOptions.UPSTREAM_DEFAULTS, clock);
        notOffered.attach("/a", wanting(acl), 1);
        assertThat(notOffered.init(offered).contains(FsOptions.POSIX_ACL)).as("the namespace did not offer it")
                .isFalse();
    }

    @Test
    void nodeIdPacking() {
        assertThat(Vfs.nodeId(1, 5)).isEqualTo(IDX1 | 5);
        assertThat(Vfs.nodeId(255, Vfs.MAX_INO)).isEqualTo(-1L);
        assertThat(Vfs.nodeId(3, 0)).as("negative entries stay 0").isZero();
    }
}
