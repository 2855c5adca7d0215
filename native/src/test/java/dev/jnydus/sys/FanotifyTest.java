package dev.jnydus.sys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jnydus.common.Errno;
import dev.jnydus.common.FsException;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * fanotify pre-content events on a regular file of this machine's kernel: a reader in this JVM is
 * held until the test answers, allowed or denied; the event names the reading thread and a
 * descriptor of the marked file. Needs root (CAP_SYS_ADMIN) and a kernel with FAN_PRE_ACCESS
 * (6.14+); {@code -Djnydus.requirePrivileged=true} turns a skip into a failure.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FanotifyTest {
    @TempDir
    Path tmp;

    @BeforeEach
    void privileged() {
        boolean root = "root".equals(System.getProperty("user.name"));
        if (!root && Boolean.getBoolean("jnydus.requirePrivileged")) {
            fail("privileged test cannot run: needs root");
        }
        assumeTrue(root, "needs root");
    }

    private record Event(long mask, int fd, int pid, long offset, long count) {
    }

    /** Reads one pre-access event (48 bytes: metadata plus a range record), waiting up to 10 s. */
    private static Event nextEvent(Fd group) throws Exception {
        ByteBuffer buf = ByteBuffer.allocateDirect(4096).order(ByteOrder.LITTLE_ENDIAN);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        try (Fd wake = Sys.eventfd(0, Sys.EFD_NONBLOCK)) {
            PollSet ps = new PollSet(new Fd[] {group, wake}, new short[] {Sys.POLLIN, Sys.POLLIN});
            while (System.nanoTime() < deadline) {
                if (ps.poll(100) == 0) {
                    continue;
                }
                buf.clear();
                int n = Sys.read(group, buf);
                assertThat(n).as("one event").isEqualTo(buf.getInt(0));
                assertThat(buf.get(4)).as("metadata version").isEqualTo((byte) 3);
                assertThat(buf.getShort(24)).as("info type: range").isEqualTo((short) 6);
                return new Event(buf.getLong(8), buf.getInt(16), buf.getInt(20), buf.getLong(32), buf.getLong(40));
            }
        }
        throw new AssertionError("no event within 10 s");
    }

    @Test
    void aReaderWaitsForTheAnswerAndTheEventNamesItsThreadAndFile() throws Exception {
        Path file = tmp.resolve("data");
        Files.write(file, new byte[8192]);
        try (Fd group = Fanotify.init(Fanotify.CLASS_PRE_CONTENT | Fanotify.CLOEXEC | Fanotify.NONBLOCK
                | Fanotify.UNLIMITED_QUEUE | Fanotify.REPORT_TID, Sys.O_RDWR | Sys.O_CLOEXEC)) {
            Fanotify.mark(group, Fanotify.MARK_ADD, Fanotify.PRE_ACCESS, file);
            CompletableFuture<Integer> readerTid = new CompletableFuture<>();
            CompletableFuture<byte[]> read = CompletableFuture.supplyAsync(() -> {
                try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
                    readerTid.complete(Threads.currentTid());
                    byte[] b = new byte[100];
                    f.seek(4096);
                    f.readFully(b);
                    return b;
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            Event e = nextEvent(group);
            assertThat(e.mask() & Fanotify.PRE_ACCESS).isNotZero();
            assertThat(e.pid()).as("the reading thread").isEqualTo(readerTid.get(10, TimeUnit.SECONDS));
            // A buffered read asks for whole pages: the range covers the bytes read.
            assertThat(e.offset()).isLessThanOrEqualTo(4096);
            assertThat(e.offset() + e.count()).isGreaterThanOrEqualTo(4196);
            assertThat(FileId.ofRaw(e.fd())).isEqualTo(FileId.of(file));
            assertThat(read.isDone()).as("held until answered").isFalse();
            try (Fd eventFd = Fd.adopt(e.fd())) {
                // Filled through the event's own descriptor, which raises no event of its own.
                Sys.pwrite(eventFd, ByteBuffer.wrap(new byte[] {42, 43}), 4096);
                assertThat(read.isDone()).as("the fill raised no event of its own").isFalse();
                Fanotify.respond(group, eventFd.get(), Fanotify.ALLOW);
            }
            byte[] got = read.get(10, TimeUnit.SECONDS);
            assertThat(got[0]).isEqualTo((byte) 42);
            assertThat(got[1]).isEqualTo((byte) 43);

            CompletableFuture<Throwable> denied = CompletableFuture.supplyAsync(() -> {
                try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
                    f.read(new byte[10]);
                    return null;
                } catch (IOException ex) {
                    return ex;
                }
            });
            Event d = nextEvent(group);
            try (Fd eventFd = Fd.adopt(d.fd())) {
                Fanotify.respond(group, eventFd.get(), Fanotify.denyWithErrno(Errno.EIO.number()));
            }
            assertThat(denied.get(10, TimeUnit.SECONDS)).as("the reader's error").isNotNull()
                    .hasMessageContaining("Input/output error");
            Fanotify.mark(group, Fanotify.MARK_REMOVE, Fanotify.PRE_ACCESS, file);
        }
    }

    @Test
    void answeringAnUnknownDescriptorIsEnoent() throws Exception {
        try (Fd group = Fanotify.init(Fanotify.CLASS_PRE_CONTENT | Fanotify.CLOEXEC, Sys.O_RDONLY)) {
            assertThatThrownBy(() -> Fanotify.respond(group, 999, Fanotify.ALLOW))
                    .isInstanceOfSatisfying(FsException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ENOENT));
        }
    }

    @Test
    void fileIdOfAPathAndOfADescriptorAgree() throws Exception {
        Path file = Files.writeString(tmp.resolve("f"), "x");
        try (Fd fd = Sys.open(file, Sys.O_RDONLY)) {
            assertThat(FileId.of(fd)).isEqualTo(FileId.of(file));
        }
        assertThat(FileId.of(file)).isNotEqualTo(FileId.of(tmp));
        assertThatThrownBy(() -> FileId.of(tmp.resolve("missing")))
                .isInstanceOfSatisfying(FsException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ENOENT));
    }

    @Test
    void newMountApiMountsWithParametersAndReportsTheKernelsReason() throws Exception {
        Path mnt = Files.createDirectory(tmp.resolve("mnt"));
        NewMountApi.mount("tmpfs", java.util.List.of(java.util.Map.entry("size", "1m"),
                java.util.Map.entry("mode", "0700")), NewMountApi.MOUNT_ATTR_NOSUID, mnt);
        try {
            assertThat(Files.readAllLines(Path.of("/proc/self/mounts")))
                    .anyMatch(l -> l.contains(" " + mnt + " tmpfs ") && l.contains("nosuid") && l.contains("size=1024k"));
        } finally {
            Mounts.umount2(mnt, 0);
        }
        Path notAnImage = Files.write(tmp.resolve("zeros.img"), new byte[8192]);
        assertThatThrownBy(() -> NewMountApi.mount("erofs", java.util.List.of(java.util.Map.entry("source",
                notAnImage.toString())), NewMountApi.MOUNT_ATTR_RDONLY, mnt))
                .isInstanceOfSatisfying(FsException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EINVAL))
                .hasMessageContaining("erofs");
        assertThatThrownBy(() -> NewMountApi.mount("tmpfs", java.util.List.of(java.util.Map.entry("source",
                "x".repeat(300))), 0, mnt))
                .isInstanceOfSatisfying(FsException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ENAMETOOLONG));
    }
}
