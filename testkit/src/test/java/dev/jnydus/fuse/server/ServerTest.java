package dev.jnydus.fuse.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jnydus.common.Errno;
import dev.jnydus.common.FsException;
import dev.jnydus.fuse.abi.FuseProtocolException;
import dev.jnydus.fuse.abi.Opcode;
import dev.jnydus.fuse.api.Context;
import dev.jnydus.fuse.api.Entry;
import dev.jnydus.fuse.api.FileSystem;
import dev.jnydus.fuse.api.FsOptions;
import dev.jnydus.testkit.ByteBufferFuseChannel;
import dev.jnydus.testkit.FuseRequest;
import dev.jnydus.testkit.InMemoryFileSystem;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Feeds requests, written out as the kernel sends them, to a {@link Server} over a
 * {@link ByteBufferFuseChannel} and checks the reply bytes. No /dev/fuse involved.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ServerTest {
    private static final byte[] HELLO = "hello, fuse\n".getBytes(StandardCharsets.UTF_8);

    private InMemoryFileSystem fs;
    private Server server;
    private final List<String> recorded = new CopyOnWriteArrayList<>();
    private final AtomicLong clock = new AtomicLong();

    @BeforeEach
    void setUp() {
        fs = InMemoryFileSystem.builder()
                .timeout(Duration.ofMillis(1500))
                .file("/hello", HELLO) // node 2
                .dir("/dir") // node 3
                .file("/dir/a", new byte[] {1}) // node 4
                .symlink("/link", "hello") // node 5
                .sparseFile("/sparse", 1 << 20, Map.of(4096L, new byte[] {7, 7, 7})) // node 6
                .xattr("/hello", "user.color", "blue".getBytes(StandardCharsets.UTF_8))
                .xattr("/hello", "user.empty", new byte[0])
                .build();
        server = Server.builder(fs)
                .ticker(() -> clock.addAndGet(1000))
                .metrics((op, node, nanos, errno) -> recorded.add(op + "/" + node + "/" + nanos + "/" + errno))
                .build();
    }

    /** A decoded reply: fuse_out_header plus the payload as a little-endian buffer. */
    private record Reply(int len, int error, long unique, ByteBuffer payload) {
        static Reply of(byte[] bytes) {
            ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
            int len = b.getInt();
            int error = b.getInt();
            long unique = b.getLong();
            assertThat(len).as("out header length").isEqualTo(bytes.length);
            return new Reply(len, error, unique, b.slice().order(ByteOrder.LITTLE_ENDIAN));
        }
    }

    private ByteBufferFuseChannel run(byte[]... requests) throws IOException {
        ByteBufferFuseChannel ch = new ByteBufferFuseChannel(requests);
        server.serve(ch);
        return ch;
    }

    private Reply one(byte[] request) throws IOException {
        return Reply.of(run(request).onlyReply());
    }

    private void assertError(Reply r, long unique, Errno errno) {
        assertThat(r.unique()).isEqualTo(unique);
        assertThat(r.error()).as("errno").isEqualTo(-errno.number());
        assertThat(r.len()).isEqualTo(16);
    }

    private static ByteBuffer direct(int size) {
        return ByteBuffer.allocateDirect(size).order(ByteOrder.LITTLE_ENDIAN);
    }

    @Test
    void aWorkerMayBringItsOwnBuffersOfAtLeastTheBufferSize() throws IOException {
        ByteBufferFuseChannel empty = new ByteBufferFuseChannel();
        assertThatThrownBy(() -> server.serve(empty, direct(server.bufferSize() - 1), direct(server.bufferSize())))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("smaller than " + server.bufferSize());
        server.serve(empty, direct(server.bufferSize()), direct(server.bufferSize()));
        assertThat(empty.replies()).isEmpty();
    }

    // ------------------------------------------------------------------ INIT

    @Test
    void initNegotiatesTheIntersectionAndAnnouncesOurLimits() throws IOException {
        byte[] init = {
            // fuse_in_header
            104, 0, 0, 0, //            len = 40 + 64
            26, 0, 0, 0, //             opcode = FUSE_INIT
            1, 0, 0, 0, 0, 0, 0, 0, //  unique = 1
            0, 0, 0, 0, 0, 0, 0, 0, //  nodeid = 0
            0, 0, 0, 0, 0, 0, 0, 0, //  uid, gid
            0, 0, 0, 0, 0, 0, 0, 0, //  pid, padding
            // fuse_init_in
            7, 0, 0, 0, //              major = 7
            41, 0, 0, 0, //             minor = 41
            0, 0, 2, 0, //              max_readahead = 128 KiB
            // flags = ASYNC_READ | POSIX_LOCKS | BIG_WRITES | SPLICE_READ | DO_READDIRPLUS
            //       | READDIRPLUS_AUTO | PARALLEL_DIROPS | MAX_PAGES | CACHE_SYMLINKS | INIT_EXT
            0x23, 0x62, (byte) 0xc4, 0x40,
            (byte) 0x80, 0, 0, 0, //    flags2 = HAS_RESEND
            0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, // unused[11]
            0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        };
        byte[] expected = {
            // fuse_out_header
            80, 0, 0, 0, //             len = 16 + 64
            0, 0, 0, 0, //              error = 0
            1, 0, 0, 0, 0, 0, 0, 0, //  unique = 1
            // fuse_init_out
            7, 0, 0, 0, //              major
            33, 0, 0, 0, //             minor: ours; the kernel takes min(41, 33)
            0, 0, 2, 0, //              max_readahead: the kernel's
            // flags = ASYNC_READ | BIG_WRITES | DO_READDIRPLUS | READDIRPLUS_AUTO | PARALLEL_DIROPS
            //       | MAX_PAGES | CACHE_SYMLINKS  (not POSIX_LOCKS: unwanted; not SPLICE_READ: unsupported;
            //       not INIT_EXT: no flags2 bit enabled)
            0x21, 0x60, (byte) 0xc4, 0x00,
            (byte) 0xff, (byte) 0xff, // max_background = 65535
            (byte) 0xfd, (byte) 0xbf, // congestion_threshold = 49149
            0, 0, 0x10, 0, //           max_write = 1 MiB
            1, 0, 0, 0, //              time_gran = 1 ns
            0, 1, //                    max_pages = 256
            0, 0, //                    map_alignment
            0, 0, 0, 0, //              flags2
            0, 0, 0, 0, //              max_stack_depth
            0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, // unused[6]
        };
        ByteBufferFuseChannel ch = run(init);
        assertThat(ch.onlyReply()).isEqualTo(expected);
        Negotiated n = server.negotiated().orElseThrow();
        assertThat(n.minor()).isEqualTo(33);
        assertThat(n.maxWrite()).isEqualTo(1 << 20);
        assertThat(n.kernelCapable().contains(FsOptions.HAS_RESEND | FsOptions.POSIX_LOCKS)).isTrue();
        assertThat(n.enabled().names()).containsExactly("ASYNC_READ", "BIG_WRITES", "DO_READDIRPLUS",
                "READDIRPLUS_AUTO", "PARALLEL_DIROPS", "MAX_PAGES", "CACHE_SYMLINKS");
        assertThat(server.isInitialized()).isTrue();
    }

    @Test
    void initFromAnOldKernelWithoutInitExtGetsTheShortReplyForItsMinor() throws IOException {
        byte[] init = FuseRequest.of(26, 9, 0).u32(7).u32(22).u32(65536).u32(0x1 | 0x2000).build();
        Reply r = one(init);
        assertThat(r.error()).isZero();
        assertThat(r.len()).as("7.22 takes the 24-byte compat reply").isEqualTo(16 + 24);
        assertThat(r.payload().getInt(4)).isEqualTo(33);
        assertThat(r.payload().getInt(12)).as("flags").isEqualTo(0x1 | 0x2000);
        assertThat(r.payload().getInt(20)).as("max_write without BIG_WRITES or MAX_PAGES").isEqualTo(4096);
        assertThat(server.negotiated().orElseThrow().minor()).isEqualTo(22);
    }

    @Test
    void initRefusesAncientProtocolsAndAnswersANewerMajorWithOurs() throws IOException {
        assertError(one(FuseRequest.of(26, 2, 0).u32(7).u32(12).u32(0).u32(0).build()), 2, Errno.EPROTO);
        assertThat(server.isInitialized()).isFalse();
        Reply r = one(FuseRequest.of(26, 3, 0).u32(8).u32(0).u32(0).u32(0).build());
        assertThat(r.error()).isZero();
        assertThat(r.len()).isEqualTo(16 + 8);
        assertThat(r.payload().getInt(0)).isEqualTo(7);
        assertThat(r.payload().getInt(4)).isEqualTo(33);
        assertThat(server.isInitialized()).as("waits for a 7.x INIT").isFalse();
    }

    // ------------------------------------------------------------------ lookup and attributes

    @Test
    void lookupReturnsAnEntryAndCountsIt() throws IOException {
        byte[] lookup = {
            // fuse_in_header
            46, 0, 0, 0, //             len = 40 + 6
            1, 0, 0, 0, //              opcode = FUSE_LOOKUP
            5, 0, 0, 0, 0, 0, 0, 0, //  unique = 5
            1, 0, 0, 0, 0, 0, 0, 0, //  nodeid = 1 (root)
            (byte) 0xe8, 3, 0, 0, //    uid = 1000
            (byte) 0xe8, 3, 0, 0, //    gid = 1000
            57, 48, 0, 0, //            pid = 12345
            0, 0, 0, 0, //              padding
            'h', 'e', 'l', 'l', 'o', 0, // name
        };
        Reply r = one(lookup);
        assertThat(r.error()).isZero();
        assertThat(r.len()).isEqualTo(16 + 128);
        ByteBuffer p = r.payload();
        assertThat(p.getLong(0)).as("nodeid").isEqualTo(2);
        assertThat(p.getLong(8)).as("generation").isEqualTo(1);
        assertThat(p.getLong(16)).as("entry_valid").isEqualTo(1);
        assertThat(p.getLong(24)).as("attr_valid").isEqualTo(1);
        assertThat(p.getInt(32)).as("entry_valid_nsec").isEqualTo(500_000_000);
        assertThat(p.getInt(36)).as("attr_valid_nsec").isEqualTo(500_000_000);
        // fuse_attr at 40
        assertThat(p.getLong(40)).as("ino").isEqualTo(2);
        assertThat(p.getLong(48)).as("size").isEqualTo(HELLO.length);
        assertThat(p.getLong(56)).as("blocks").isEqualTo(1);
        assertThat(p.getLong(72)).as("mtime").isEqualTo(1_700_000_000L);
        assertThat(p.getInt(92)).as("mtimensec").isEqualTo(123_456_789);
        assertThat(p.getInt(100)).as("mode").isEqualTo(0100644);
        assertThat(p.getInt(104)).as("nlink").isEqualTo(1);
        assertThat(p.getInt(120)).as("blksize").isEqualTo(4096);
        assertThat(fs.lookupCount(2)).isEqualTo(1);
        assertThat(recorded).containsExactly("LOOKUP/1/1000/0");
    }

    @Test
    void lookupOfAMissingNameIsEnoentAndCountsNothing() throws IOException {
        assertError(one(FuseRequest.of(1, 6, 1).name("nope").build()), 6, Errno.ENOENT);
        assertError(one(FuseRequest.of(1, 7, 2).name("x").build()), 7, Errno.ENOTDIR);
        assertThat(fs.totalLookupCount()).isZero();
        assertThat(recorded).containsExactly("LOOKUP/1/1000/2", "LOOKUP/2/1000/20");
    }

    @Test
    void negativeEntriesAreSentAsNodeIdZero() throws IOException {
        server = Server.builder(new FileSystem() {
            @Override
            public Entry lookup(Context ctx, long parent, byte[] name) {
                return Entry.negative(Duration.ofSeconds(30));
            }
        }).build();
        Reply r = one(FuseRequest.of(1, 8, 1).name("ghost").build());
        assertThat(r.error()).isZero();
        assertThat(r.payload().getLong(0)).isZero();
        assertThat(r.payload().getLong(16)).as("entry_valid").isEqualTo(30);
    }

    @Test
    void getattrReturnsAttrOut() throws IOException {
        // fuse_getattr_in: getattr_flags = 0, dummy, fh = 0
        Reply r = one(FuseRequest.of(3, 9, 3).u32(0).u32(0).u64(0).build());
        assertThat(r.len()).isEqualTo(16 + 104);
        ByteBuffer p = r.payload();
        assertThat(p.getLong(0)).as("attr_valid").isEqualTo(1);
        assertThat(p.getInt(8)).as("attr_valid_nsec").isEqualTo(500_000_000);
        assertThat(p.getLong(16)).as("ino").isEqualTo(3);
        assertThat(p.getInt(16 + 60)).as("mode").isEqualTo(040755);
        assertThat(p.getInt(16 + 64)).as("nlink").isEqualTo(2);
    }

    @Test
    void readlinkStatfsAccess() throws IOException {
        Reply link = one(FuseRequest.of(5, 10, 5).build());
        assertThat(new String(link.payload().array(), 16, link.len() - 16, StandardCharsets.UTF_8)).isEqualTo("hello");
        assertError(one(FuseRequest.of(5, 11, 2).build()), 11, Errno.EINVAL);
        Reply st = one(FuseRequest.of(17, 12, 1).build());
        assertThat(st.len()).isEqualTo(16 + 80);
        assertThat(st.payload().getLong(0)).as("blocks").isEqualTo(1000);
        assertThat(st.payload().getInt(40)).as("bsize").isEqualTo(4096);
        assertThat(st.payload().getInt(44)).as("namelen").isEqualTo(255);
        Reply ok = one(FuseRequest.of(34, 13, 2).u32(4).u32(0).build());
        assertThat(ok.error()).isZero();
        assertThat(ok.len()).isEqualTo(16);
    }

    // ------------------------------------------------------------------ open, read, lseek

    @Test
    void openReadRelease() throws IOException {
        Reply open = one(FuseRequest.of(14, 20, 2).u32(0).u32(0).build());
        assertThat(open.len()).isEqualTo(16 + 16);
        long fh = open.payload().getLong(0);
        assertThat(open.payload().getInt(8)).as("open_flags = KEEP_CACHE").isEqualTo(2);
        assertThat(fs.openHandles()).isEqualTo(1);
        // fuse_read_in: fh, offset = 7, size = 4096, read_flags, lock_owner, flags, padding
        Reply read = one(FuseRequest.of(15, 21, 2).u64(fh).u64(7).u32(4096).u32(0).u64(0).u32(0).u32(0).build());
        assertThat(new String(read.payload().array(), 16, read.len() - 16, StandardCharsets.UTF_8)).isEqualTo("fuse\n");
        Reply eof = one(FuseRequest.of(15, 22, 2).u64(fh).u64(100).u32(4096).u32(0).u64(0).u32(0).u32(0).build());
        assertThat(eof.len()).as("past EOF: empty data").isEqualTo(16);
        // fuse_release_in: fh, flags, release_flags, lock_owner
        Reply rel = one(FuseRequest.of(18, 23, 2).u64(fh).u32(0).u32(0).u64(0).build());
        assertThat(rel.len()).isEqualTo(16);
        assertThat(fs.openHandles()).isZero();
        assertError(one(FuseRequest.of(14, 24, 2).u32(2).u32(0).build()), 24, Errno.EROFS);
    }

    @Test
    void readOfASparseFileReturnsZerosForHolesAndDataForExtents() throws IOException {
        Reply r = one(FuseRequest.of(15, 30, 6).u64(0).u64(4090).u32(16).u32(0).u64(0).u32(0).u32(0).build());
        byte[] data = new byte[r.len() - 16];
        r.payload().get(0, data);
        assertThat(data).containsExactly(0, 0, 0, 0, 0, 0, 7, 7, 7, 0, 0, 0, 0, 0, 0, 0);
    }

    @Test
    void readLargerThanTheBufferIsClampedNotOverflowed() throws IOException {
        server = Server.builder(fs).maxPages(1).build(); // 4 KiB payloads, 8 KiB buffers
        Reply r = one(FuseRequest.of(15, 31, 6).u64(0).u64(0).u32(1 << 20).u32(0).u64(0).u32(0).u32(0).build());
        assertThat(r.len() - 16).isLessThanOrEqualTo(server.bufferSize() - 16);
        assertThat(r.payload().get(4096)).isEqualTo((byte) 7);
    }

    @Test
    void lseekIsDelegated() throws IOException {
        Reply data = one(FuseRequest.of(46, 40, 6).u64(0).u64(0).u32(3).u32(0).build());
        assertThat(data.payload().getLong(0)).as("SEEK_DATA from 0").isEqualTo(4096);
        Reply hole = one(FuseRequest.of(46, 41, 6).u64(0).u64(4096).u32(4).u32(0).build());
        assertThat(hole.payload().getLong(0)).as("SEEK_HOLE from 4096").isEqualTo(4099);
        assertError(one(FuseRequest.of(46, 42, 6).u64(0).u64(5000).u32(3).u32(0).build()), 42, Errno.ENXIO);
    }

    // ------------------------------------------------------------------ directories

    private record Dirent(long ino, long off, int type, String name, long nodeId) {
    }

    private static List<Dirent> dirents(Reply r, boolean plus) {
        List<Dirent> out = new ArrayList<>();
        ByteBuffer p = r.payload();
        int at = 0;
        int end = r.len() - 16;
        while (at < end) {
            long nodeId = 0;
            if (plus) {
                nodeId = p.getLong(at);
                at += 128;
            }
            long ino = p.getLong(at);
            long off = p.getLong(at + 8);
            int namelen = p.getInt(at + 16);
            int type = p.getInt(at + 20);
            byte[] name = new byte[namelen];
            p.get(at + 24, name);
            int padded = (24 + namelen + 7) & ~7;
            for (int i = 24 + namelen; i < padded; i++) {
                assertThat(p.get(at + i)).as("padding is zero").isZero();
            }
            out.add(new Dirent(ino, off, type, new String(name, StandardCharsets.UTF_8), nodeId));
            at += padded;
        }
        assertThat(at).as("entries end exactly at the reply end").isEqualTo(end);
        return out;
    }

    private static byte[] readIn(int opcode, long unique, long node, long offset, int size) {
        return FuseRequest.of(opcode, unique, node).u64(0).u64(offset).u32(size).u32(0).u64(0).u32(0).u32(0).build();
    }

    @Test
    void readdirEncodesAlignedEntriesAndStopsWhenFull() throws IOException {
        // 24 + 1 -> 32, 24 + 2 -> 32, 24 + 5 ("hello") -> 32: 80 bytes hold exactly two entries.
        List<Dirent> first = dirents(one(readIn(28, 50, 1, 0, 80)), false);
        assertThat(first).extracting(Dirent::name).containsExactly(".", "..");
        assertThat(first).extracting(Dirent::off).containsExactly(1L, 2L);
        assertThat(first.get(0).type()).isEqualTo(4); // DT_DIR
        List<Dirent> rest = dirents(one(readIn(28, 51, 1, 2, 4096)), false);
        assertThat(rest).extracting(Dirent::name).containsExactly("hello", "dir", "link", "sparse");
        assertThat(rest).extracting(Dirent::type).containsExactly(8, 4, 10, 8);
        assertThat(rest).extracting(Dirent::ino).containsExactly(2L, 3L, 5L, 6L);
        assertThat(one(readIn(28, 52, 1, 6, 4096)).len()).as("end of directory").isEqualTo(16);
        assertThat(fs.totalLookupCount()).as("readdir takes no lookups").isZero();
    }

    @Test
    void readdirplusCarriesEntriesAndCountsOnlyWhatFitted() throws IOException {
        // Each direntplus is 152 + name, padded: ".", ".." = 160 each, "hello" = 160: 400 bytes fit two.
        List<Dirent> first = dirents(one(readIn(44, 60, 1, 0, 400)), true);
        assertThat(first).extracting(Dirent::name).containsExactly(".", "..");
        assertThat(first).extracting(Dirent::nodeId).containsExactly(1L, 1L);
        assertThat(fs.totalLookupCount()).as(". and .. take no lookups").isZero();
        List<Dirent> rest = dirents(one(readIn(44, 61, 1, 2, 4096)), true);
        assertThat(rest).extracting(Dirent::name).containsExactly("hello", "dir", "link", "sparse");
        assertThat(rest).extracting(Dirent::nodeId).containsExactly(2L, 3L, 5L, 6L);
        assertThat(fs.lookupCount(2)).isEqualTo(1);
        assertThat(fs.totalLookupCount()).isEqualTo(4);
    }

    @Test
    void aReplyTooSmallForOneEntryIsEmpty() throws IOException {
        assertThat(one(readIn(28, 62, 1, 0, 31)).len()).isEqualTo(16);
        assertThat(one(readIn(44, 63, 1, 2, 159)).len()).isEqualTo(16);
        assertThat(fs.totalLookupCount()).isZero();
    }

    // ------------------------------------------------------------------ xattrs

    @Test
    void getxattrFollowsTheSizeProtocol() throws IOException {
        Reply size = one(FuseRequest.of(22, 70, 2).u32(0).u32(0).name("user.color").build());
        assertThat(size.len()).isEqualTo(16 + 8);
        assertThat(size.payload().getInt(0)).as("getxattr_out.size").isEqualTo(4);
        assertError(one(FuseRequest.of(22, 71, 2).u32(3).u32(0).name("user.color").build()), 71, Errno.ERANGE);
        Reply value = one(FuseRequest.of(22, 72, 2).u32(64).u32(0).name("user.color").build());
        assertThat(new String(value.payload().array(), 16, value.len() - 16, StandardCharsets.UTF_8)).isEqualTo("blue");
        Reply empty = one(FuseRequest.of(22, 73, 2).u32(64).u32(0).name("user.empty").build());
        assertThat(empty.len()).isEqualTo(16);
        assertError(one(FuseRequest.of(22, 74, 2).u32(64).u32(0).name("user.none").build()), 74, Errno.ENODATA);
    }

    @Test
    void listxattrJoinsNamesWithNuls() throws IOException {
        Reply size = one(FuseRequest.of(23, 75, 2).u32(0).u32(0).build());
        assertThat(size.payload().getInt(0)).isEqualTo("user.color\0user.empty\0".length());
        Reply names = one(FuseRequest.of(23, 76, 2).u32(100).u32(0).build());
        assertThat(new String(names.payload().array(), 16, names.len() - 16, StandardCharsets.UTF_8))
                .isEqualTo("user.color\0user.empty\0");
        assertError(one(FuseRequest.of(23, 77, 2).u32(5).u32(0).build()), 77, Errno.ERANGE);
        Reply none = one(FuseRequest.of(23, 78, 3).u32(0).u32(0).build());
        assertThat(none.payload().getInt(0)).isZero();
    }

    // ------------------------------------------------------------------ no-reply operations

    @Test
    void forgetsAndInterruptsAreNeverAnswered() throws IOException {
        run(FuseRequest.of(1, 80, 1).name("hello").build(), FuseRequest.of(1, 81, 1).name("hello").build(),
                FuseRequest.of(1, 82, 1).name("dir").build());
        assertThat(fs.lookupCount(2)).isEqualTo(2);
        ByteBufferFuseChannel ch = run(
                FuseRequest.of(2, 83, 2).u64(1).build(), // FORGET node 2, nlookup 1
                // BATCH_FORGET: count 2, dummy, then {node 2, 1}, {node 3, 1}
                FuseRequest.of(42, 84, 0).u32(2).u32(0).u64(2).u64(1).u64(3).u64(1).build(),
                FuseRequest.of(36, 85, 0).u64(81).build()); // INTERRUPT unique 81
        assertThat(ch.replies()).isEmpty();
        assertThat(fs.totalLookupCount()).isZero();
    }

    @Test
    void batchForgetWithACountBeyondItsBytesIsAProtocolError() {
        ByteBufferFuseChannel ch = new ByteBufferFuseChannel();
        byte[] bad = FuseRequest.of(42, 86, 0).u32(1000).u32(0).u64(2).u64(1).build();
        assertThatThrownBy(() -> server.handle(ByteBuffer.wrap(bad), direct(server.bufferSize()), ch))
                .isInstanceOf(FuseProtocolException.class).hasMessageContaining("BATCH_FORGET");
        assertThat(ch.replies()).isEmpty();
    }

    // ------------------------------------------------------------------ policy and errors

    @Test
    void mutatingOperationsOfAReadOnlyFileSystemAreErofs() throws IOException {
        assertError(one(FuseRequest.of(9, 90, 1).u32(0755).u32(022).name("new").build()), 90, Errno.EROFS); // MKDIR
        assertError(one(FuseRequest.of(10, 91, 1).name("hello").build()), 91, Errno.EROFS); // UNLINK
        assertError(one(FuseRequest.of(16, 92, 2).u64(0).u64(0).u32(3).u32(0).u64(0).u32(0).u32(0)
                .bytes(new byte[] {1, 2, 3}).build()), 92, Errno.EROFS); // WRITE
        assertError(one(FuseRequest.of(35, 93, 1).u32(0101).u32(0644).u32(022).u32(0).name("c").build()), 93,
                Errno.EROFS); // CREATE
        assertError(one(FuseRequest.of(21, 94, 2).u32(1).u32(0).name("user.x").bytes(new byte[] {9}).build()), 94,
                Errno.EROFS); // SETXATTR
        assertError(one(FuseRequest.of(12, 95, 1).u64(1).name("hello").name("bye").build()), 95, Errno.EROFS);
        assertError(one(FuseRequest.of(6, 96, 1).name("s").name("target").build()), 96, Errno.EROFS); // SYMLINK
        assertError(one(FuseRequest.of(4, 97, 2).bytes(new byte[88]).build()), 97, Errno.EROFS); // SETATTR
        // fsync keeps ENOSYS: the kernel then treats fsync as done.
        assertError(one(FuseRequest.of(20, 98, 2).u64(0).u32(0).u32(0).build()), 98, Errno.ENOSYS);
    }

    @Test
    void unknownAndUndelegatedOpcodesAreEnosys() throws IOException {
        assertError(one(FuseRequest.of(99, 100, 1).build()), 100, Errno.ENOSYS);
        assertError(one(FuseRequest.of(4096, 101, 1).build()), 101, Errno.ENOSYS); // CUSE_INIT
        assertError(one(FuseRequest.of(39, 102, 2).bytes(new byte[32]).build()), 102, Errno.ENOSYS); // IOCTL
        // The default FileSystem answers everything but init with ENOSYS.
        server = Server.builder(new FileSystem() { }).build();
        assertError(one(FuseRequest.of(1, 103, 1).name("x").build()), 103, Errno.ENOSYS);
        assertError(one(readIn(28, 104, 1, 0, 4096)), 104, Errno.ENOSYS);
    }

    @Test
    void aTruncatedHeaderIsAProtocolErrorWithNoReply() {
        byte[] truncated = {
            40, 0, 0, 0, //  len claims a full header
            3, 0, 0, 0, //   GETATTR
            1, 0, 0, 0, 0, 0, 0, 0, // unique
            1, 0, 0, 0, //   ...and the request stops here, 20 bytes in
        };
        ByteBufferFuseChannel ch = new ByteBufferFuseChannel();
        assertThatThrownBy(() -> server.handle(ByteBuffer.wrap(truncated), direct(server.bufferSize()), ch))
                .isInstanceOf(FuseProtocolException.class).hasMessageContaining("20 bytes");
        assertThat(ch.replies()).isEmpty();
    }

    @Test
    void aHeaderLengthThatDisagreesGetsEioAndAProtocolError() {
        byte[] req = FuseRequest.of(3, 110, 1).u32(0).u32(0).u64(0).build();
        req[0] = 99; // len = 99, but 56 bytes arrived
        ByteBufferFuseChannel ch = new ByteBufferFuseChannel();
        assertThatThrownBy(() -> server.handle(ByteBuffer.wrap(req), direct(server.bufferSize()), ch))
                .isInstanceOf(FuseProtocolException.class).hasMessageContaining("99");
        assertError(Reply.of(ch.onlyReply()), 110, Errno.EIO);
    }

    @Test
    void shortArgumentsAndMissingNulsGetEioAndAProtocolError() {
        ByteBufferFuseChannel ch = new ByteBufferFuseChannel();
        byte[] shortRead = FuseRequest.of(15, 111, 2).u64(0).u64(0).build(); // 16 of 40 bytes
        assertThatThrownBy(() -> server.handle(ByteBuffer.wrap(shortRead), direct(server.bufferSize()), ch))
                .isInstanceOf(FuseProtocolException.class).hasMessageContaining("fuse_read_in");
        byte[] noNul = FuseRequest.of(1, 112, 1).bytes("hello".getBytes(StandardCharsets.UTF_8)).build();
        assertThatThrownBy(() -> server.handle(ByteBuffer.wrap(noNul), direct(server.bufferSize()), ch))
                .isInstanceOf(FuseProtocolException.class).hasMessageContaining("NUL");
        assertThat(ch.replies()).hasSize(2);
        assertError(Reply.of(ch.replies().get(0)), 111, Errno.EIO);
        assertError(Reply.of(ch.replies().get(1)), 112, Errno.EIO);
        assertThat(fs.totalLookupCount()).isZero();
    }

    @Test
    void filesystemBugsBecomeEioAndInvalidErrnosAreReplaced() throws IOException {
        server = Server.builder(new FileSystem() {
            @Override
            public Entry lookup(Context ctx, long parent, byte[] name) throws FsException {
                if (name[0] == 'n') {
                    throw new FsException(null, "no errno");
                }
                throw new IllegalStateException("bug");
            }
        }).build();
        assertError(one(FuseRequest.of(1, 120, 1).name("bug").build()), 120, Errno.EIO);
        assertError(one(FuseRequest.of(1, 121, 1).name("null").build()), 121, Errno.EIO);
    }

    @Test
    void destroyIsAnsweredAfterTellingTheFilesystem() throws IOException {
        AtomicLong destroyed = new AtomicLong();
        server = Server.builder(new FileSystem() {
            @Override
            public void destroy() {
                destroyed.incrementAndGet();
            }
        }).build();
        Reply r = one(FuseRequest.of(38, 130, 0).build());
        assertThat(r.error()).isZero();
        assertThat(destroyed.get()).isEqualTo(1);
    }

    @Test
    void serveHandlesRequestsInOrderAndReturnsWhenTheChannelEnds() throws IOException {
        ByteBufferFuseChannel ch = run(FuseRequest.of(1, 140, 1).name("dir").build(),
                new byte[] {1, 2, 3}, // garbage: logged and dropped, serving goes on
                FuseRequest.of(1, 141, 3).name("a").build());
        assertThat(ch.replies()).hasSize(2);
        assertThat(Reply.of(ch.replies().get(0)).unique()).isEqualTo(140);
        assertThat(Reply.of(ch.replies().get(1)).payload().getLong(0)).isEqualTo(4);
        assertThat(ch.pendingRequests()).isZero();
    }

    @Test
    void metricsSeeEveryDispatchedRequestWithItsErrno() throws IOException {
        run(FuseRequest.of(1, 150, 1).name("hello").build(), FuseRequest.of(1, 151, 1).name("none").build(),
                FuseRequest.of(2, 152, 2).u64(1).build(), FuseRequest.of(99, 153, 1).build());
        assertThat(recorded).containsExactly("LOOKUP/1/1000/0", "LOOKUP/1/1000/2", "FORGET/2/1000/0");
        assertThat(Opcode.of(99)).isNull();
    }

    @Test
    void builderRejectsBadLimits() {
        assertThatThrownBy(() -> Server.builder(fs).maxPages(0)).hasMessageContaining("0");
        assertThatThrownBy(() -> Server.builder(fs).maxPages(257)).hasMessageContaining("257");
        assertThatThrownBy(() -> Server.builder(fs).background(10, 11)).hasMessageContaining("11");
        assertThat(Server.builder(fs).build().bufferSize()).isEqualTo((1 << 20) + 4096);
    }
}
