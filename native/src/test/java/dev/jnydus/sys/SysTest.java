package dev.jnydus.sys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jnydus.common.Errno;
import dev.jnydus.common.FsException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class SysTest {
    @TempDir
    Path tmp;

    @BeforeAll
    static void available() {
        assertThat(Sys.unavailabilityCause()).as("native binding must load on Linux x86_64").isNull();
        assertThat(Sys.isAvailable()).isTrue();
    }

    private static ByteBuffer bytes(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
    }

    private static ByteBuffer directBytes(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocateDirect(b.length).put(b).flip();
    }

    private static String text(ByteBuffer b) {
        b.flip();
        byte[] a = new byte[b.remaining()];
        b.get(a);
        return new String(a, StandardCharsets.UTF_8);
    }

    @Test
    void pipeRoundTripWithDirectAndHeapBuffers() throws Exception {
        Fd[] p = Sys.pipe(0);
        try (Fd r = p[0]; Fd w = p[1]) {
            ByteBuffer src = directBytes("hello");
            assertThat(Sys.write(w, src)).isEqualTo(5);
            assertThat(src.hasRemaining()).isFalse();
            assertThat(Sys.write(w, bytes(" world"))).isEqualTo(6);
            ByteBuffer dst = ByteBuffer.allocateDirect(64);
            dst.put((byte) '>');
            assertThat(Sys.read(r, dst)).isEqualTo(11);
            assertThat(text(dst)).isEqualTo(">hello world");
            w.close();
            assertThat(Sys.read(r, ByteBuffer.allocate(8))).as("EOF after the writer closed").isZero();
        }
    }

    @Test
    void writevSendsAllBuffersInOrderAndAdvancesPositions() throws Exception {
        Fd[] p = Sys.pipe(0);
        try (Fd r = p[0]; Fd w = p[1]) {
            ByteBuffer a = directBytes("head|");
            ByteBuffer b = bytes("heap|");
            ByteBuffer c = directBytes("xxtailxx");
            c.position(2).limit(6);
            long n = Sys.writev(w, a, b, c);
            assertThat(n).isEqualTo(14);
            assertThat(a.remaining() + b.remaining() + c.remaining()).isZero();
            ByteBuffer dst = ByteBuffer.allocate(64);
            Sys.read(r, dst);
            assertThat(text(dst)).isEqualTo("head|heap|tail");
        }
    }

    @Test
    void preadAndPwriteUseTheGivenOffset() throws Exception {
        Path f = tmp.resolve("data");
        try (Fd fd = Sys.open(f, Sys.O_RDWR | Sys.O_CREAT | Sys.O_EXCL, 0600)) {
            assertThat(Sys.pwrite(fd, directBytes("abcdef"), 10)).isEqualTo(6);
            assertThat(Files.size(f)).isEqualTo(16);
            ByteBuffer dst = ByteBuffer.allocateDirect(3);
            assertThat(Sys.pread(fd, dst, 12)).isEqualTo(3);
            assertThat(text(dst)).isEqualTo("cde");
            ByteBuffer hole = ByteBuffer.allocate(4);
            assertThat(Sys.pread(fd, hole, 0)).isEqualTo(4);
            assertThat(hole.array()).containsOnly(0);
            assertThat(Sys.pread(fd, ByteBuffer.allocate(4), 100)).isZero();
        }
    }

    @Test
    void errnoBecomesFsExceptionWithTheRightErrno() throws Exception {
        assertThatThrownBy(() -> Sys.open(tmp.resolve("missing"), Sys.O_RDONLY))
                .isInstanceOfSatisfying(FsException.class, e -> {
                    assertThat(e.errno()).isEqualTo(Errno.ENOENT);
                    assertThat(e.getMessage()).contains("missing").contains("errno 2");
                });
        Files.createDirectory(tmp.resolve("dir"));
        try (Fd dir = Sys.open(tmp.resolve("dir"), Sys.O_RDONLY | Sys.O_DIRECTORY)) {
            assertThatThrownBy(() -> Sys.read(dir, ByteBuffer.allocateDirect(8)))
                    .isInstanceOfSatisfying(FsException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EISDIR));
        }
        Fd[] p = Sys.pipe(Sys.O_NONBLOCK);
        try (Fd r = p[0]; Fd w = p[1]) {
            assertThatThrownBy(() -> Sys.read(r, ByteBuffer.allocateDirect(8)))
                    .isInstanceOfSatisfying(FsException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EAGAIN));
            assertThatThrownBy(() -> Sys.write(r, directBytes("x")))
                    .isInstanceOfSatisfying(FsException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EBADF));
        }
    }

    @Test
    void fdCloseIsIdempotentAndRefusesUseAfterClose() throws Exception {
        Fd[] p = Sys.pipe(0);
        Fd r = p[0];
        int n = r.get();
        assertThat(Sys.isOpen(n)).isTrue();
        r.close();
        r.close();
        assertThat(r.isOpen()).isFalse();
        assertThat(Sys.isOpen(n)).isFalse();
        assertThatThrownBy(r::get).isInstanceOf(IllegalStateException.class);
        // The write end stays open until its own close: closing one Fd never touches another.
        assertThat(Sys.isOpen(p[1].get())).isTrue();
        p[1].close();
    }

    @Test
    void dupAndNonBlockingFlag() throws Exception {
        Fd[] p = Sys.pipe(0);
        try (Fd r = p[0]; Fd w = p[1]; Fd w2 = Sys.dup(w)) {
            assertThat(w2.get()).isNotEqualTo(w.get());
            Sys.write(w2, directBytes("via dup"));
            ByteBuffer dst = ByteBuffer.allocate(16);
            Sys.read(r, dst);
            assertThat(text(dst)).isEqualTo("via dup");
            Sys.setNonBlocking(r, true);
            assertThat(Sys.statusFlags(r) & Sys.O_NONBLOCK).isNotZero();
            Sys.setNonBlocking(r, false);
            assertThat(Sys.statusFlags(r) & Sys.O_NONBLOCK).isZero();
        }
    }

    @Test
    void eventfdCountsAndWakesPoll() throws Exception {
        try (Fd efd = Sys.eventfd(0, Sys.EFD_NONBLOCK)) {
            Fd[] p = Sys.pipe(0);
            try (Fd r = p[0]; Fd w = p[1]) {
                PollSet set = new PollSet(new Fd[] {r, efd}, new short[] {Sys.POLLIN, Sys.POLLIN});
                assertThat(set.poll(20)).as("nothing ready: timeout").isZero();
                Sys.eventfdWrite(efd, 3);
                Sys.eventfdWrite(efd, 4);
                assertThat(set.poll(1000)).isEqualTo(1);
                assertThat(set.revents(0)).isZero();
                assertThat(set.revents(1) & Sys.POLLIN).isNotZero();
                assertThat(Sys.eventfdRead(efd)).isEqualTo(7);
                assertThatThrownBy(() -> Sys.eventfdRead(efd))
                        .isInstanceOfSatisfying(FsException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EAGAIN));
                w.close();
                assertThat(set.poll(1000)).isEqualTo(1);
                assertThat(set.revents(0) & Sys.POLLHUP).as("writer closed").isNotZero();
            }
        }
    }

    @Test
    void pollWakesAnotherThreadBlockedForever() throws Exception {
        try (Fd efd = Sys.eventfd(0, 0)) {
            PollSet set = new PollSet(new Fd[] {efd}, new short[] {Sys.POLLIN});
            Thread t = new Thread(() -> {
                try {
                    Thread.sleep(50);
                    Sys.eventfdWrite(efd, 1);
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            t.start();
            assertThat(set.poll(-1)).isEqualTo(1);
            t.join();
        }
    }

    @Test
    void scmRightsPassesADescriptorWithBytes() throws Exception {
        Fd[] sp = UnixSockets.socketpair(UnixSockets.SOCK_STREAM);
        Fd[] pipe = Sys.pipe(0);
        try (Fd a = sp[0]; Fd b = sp[1]; Fd pr = pipe[0]; Fd pw = pipe[1]) {
            ByteBuffer payload = bytes("state-v1");
            assertThat(UnixSockets.sendWithFds(a, payload, pw)).isEqualTo(8);
            ByteBuffer dst = ByteBuffer.allocate(32);
            UnixSockets.Received got = UnixSockets.recvWithFds(b, dst, 16);
            assertThat(got.bytes()).isEqualTo(8);
            assertThat(got.controlTruncated()).isFalse();
            assertThat(text(dst)).isEqualTo("state-v1");
            assertThat(got.fds()).hasSize(1);
            try (Fd received = got.fds().get(0)) {
                assertThat(received.get()).isNotEqualTo(pw.get());
                // The received descriptor is the same open file: writing to it feeds our pipe.
                Sys.write(received, directBytes("through the passed fd"));
                ByteBuffer out = ByteBuffer.allocate(64);
                Sys.read(pr, out);
                assertThat(text(out)).isEqualTo("through the passed fd");
            }
            // Plain bytes with no descriptor: none reported.
            Sys.write(a, directBytes("more"));
            UnixSockets.Received plain = UnixSockets.recvWithFds(b, ByteBuffer.allocateDirect(16), 4);
            assertThat(plain.bytes()).isEqualTo(4);
            assertThat(plain.fds()).isEmpty();
            a.close();
            assertThat(UnixSockets.recvWithFds(b, ByteBuffer.allocate(4), 1).bytes()).as("EOF").isZero();
        }
    }

    @Test
    void scmRightsReportsTruncationWhenTooManyFds() throws Exception {
        Fd[] sp = UnixSockets.socketpair(UnixSockets.SOCK_STREAM);
        Fd[] p1 = Sys.pipe(0);
        Fd[] p2 = Sys.pipe(0);
        try (Fd a = sp[0]; Fd b = sp[1]; Fd x = p1[0]; Fd y = p1[1]; Fd z = p2[0]; Fd u = p2[1]) {
            UnixSockets.sendWithFds(a, bytes("x"), x, y, z);
            UnixSockets.Received got = UnixSockets.recvWithFds(b, ByteBuffer.allocate(4), 1);
            got.fds().forEach(Fd::close);
            // CMSG_SPACE(4) rounds to 8 bytes of data, so two fit and the third is dropped.
            assertThat(got.controlTruncated()).isTrue();
            assertThat(got.fds().size()).isLessThan(3);
        }
    }

    @Test
    void unixSocketListenConnectAccept() throws Exception {
        Path sock = tmp.resolve("s.sock");
        try (Fd l = UnixSockets.listenUnix(sock, 4)) {
            try (Fd c = UnixSockets.connectUnix(sock); Fd s = UnixSockets.accept(l)) {
                Sys.write(c, directBytes("ping"));
                ByteBuffer dst = ByteBuffer.allocate(8);
                Sys.read(s, dst);
                assertThat(text(dst)).isEqualTo("ping");
            }
        }
        assertThatThrownBy(() -> UnixSockets.connectUnix(tmp.resolve("nobody.sock")))
                .isInstanceOfSatisfying(FsException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ENOENT));
    }

    @Test
    void ioctlNumbersMatchTheKernelMacros() throws Exception {
        // FUSE_DEV_IOC_CLONE = _IOR(229, 0, uint32_t), as printed by a C compiler.
        assertThat(Ioctls.ior(229, 0, 4)).isEqualTo(0x8004E500L);
        // FIONREAD is the legacy 0x541B; _IO('T', 0x1B) has the same encoding.
        assertThat(Ioctls.io('T', 0x1B)).isEqualTo(0x541BL);
        Fd[] p = Sys.pipe(0);
        try (Fd r = p[0]; Fd w = p[1]) {
            Sys.write(w, directBytes("12345"));
            ByteBuffer n = ByteBuffer.allocateDirect(4).order(java.nio.ByteOrder.nativeOrder());
            Ioctls.ioctl(r, 0x541B, n);
            assertThat(n.getInt(0)).as("FIONREAD").isEqualTo(5);
            assertThatThrownBy(() -> Ioctls.ioctl(r, Ioctls.ior(229, 0, 4), 0))
                    .isInstanceOfSatisfying(FsException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ENOTTY));
        }
    }

    @Test
    void identity() throws Exception {
        assertThat(ProcessIds.getpid()).isEqualTo((int) ProcessHandle.current().pid());
        String user = System.getProperty("user.name");
        if ("root".equals(user)) {
            assertThat(ProcessIds.getuid()).isZero();
            assertThat(ProcessIds.geteuid()).isZero();
            assertThat(ProcessIds.getgid()).isZero();
        } else {
            assertThat(ProcessIds.getuid()).isEqualTo(ProcessIds.geteuid()).isNotZero();
        }
    }

    @Test
    void mountAndDetachTmpfs() throws IOException {
        boolean root = "root".equals(System.getProperty("user.name"));
        if (!root && Boolean.getBoolean("jnydus.requirePrivileged")) {
            fail("privileged test cannot run: needs root");
        }
        assumeTrue(root, "needs root");
        Path mp = Files.createDirectory(tmp.resolve("mnt"));
        Mounts.mount("jnydus-test", mp, "tmpfs", Mounts.MS_NOSUID | Mounts.MS_NODEV, "size=1m,mode=0700");
        try {
            Files.writeString(mp.resolve("f"), "on tmpfs");
            assertThat(Files.readString(Path.of("/proc/self/mounts"))).contains(mp.toString());
        } finally {
            Mounts.umount2(mp, Mounts.MNT_DETACH);
        }
        assertThat(Files.exists(mp.resolve("f"))).isFalse();
        assertThatThrownBy(() -> Mounts.umount2(mp, 0))
                .isInstanceOfSatisfying(FsException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EINVAL));
    }

    @Test
    void rlimitNofileRoundTripsAndEgidMatchesTheJvm() throws Exception {
        long[] before = ResourceLimits.getrlimit(ResourceLimits.RLIMIT_NOFILE);
        assertThat(before[0]).isPositive();
        long soft = Math.min(before[0] == -1 ? 1024 : before[0], before[1] == -1 ? Long.MAX_VALUE : before[1]);
        ResourceLimits.setrlimit(ResourceLimits.RLIMIT_NOFILE, soft - 1, before[1]);
        try {
            assertThat(ResourceLimits.getrlimit(ResourceLimits.RLIMIT_NOFILE)).containsExactly(soft - 1, before[1]);
        } finally {
            ResourceLimits.setrlimit(ResourceLimits.RLIMIT_NOFILE, before[0], before[1]);
        }
        assertThat(ResourceLimits.getrlimit(ResourceLimits.RLIMIT_NOFILE)).containsExactly(before);
        assertThat(ProcessIds.getegid()).isEqualTo((Integer) java.nio.file.Files.getAttribute(java.nio.file.Path.of("/proc/self"),
                "unix:gid"));
    }
}
