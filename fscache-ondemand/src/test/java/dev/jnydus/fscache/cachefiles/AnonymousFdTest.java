package dev.jnydus.fscache.cachefiles;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jnydus.common.Errno;
import dev.jnydus.common.FsException;
import dev.jnydus.sys.Sys;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The anonymous fd's write rules, on a regular file opened write-only (the kernel's cache file
 * behaves the same for writes and seeks; only the READ_COMPLETE ioctl needs the real thing, which
 * the guest tests exercise).
 */
class AnonymousFdTest {
    @TempDir
    Path tmp;

    @Test
    void padsTheLastBlockWithZerosAndLeavesTheSourceAlone() throws Exception {
        Path f = tmp.resolve("object");
        Files.write(f, filled(3 * 4096, (byte) 0x55));
        byte[] data = filled(5000, (byte) 0x11);
        ByteBuffer src = ByteBuffer.wrap(data);
        try (AnonymousFd fd = new AnonymousFd(Sys.open(f, Sys.O_WRONLY))) {
            fd.write(4096, src);
        }
        assertThat(src.remaining()).isEqualTo(5000);
        byte[] out = Files.readAllBytes(f);
        assertThat(Arrays.copyOfRange(out, 0, 4096)).containsOnly(0x55);
        assertThat(Arrays.copyOfRange(out, 4096, 4096 + 5000)).containsOnly(0x11);
        assertThat(Arrays.copyOfRange(out, 4096 + 5000, 3 * 4096)).containsOnly(0);
    }

    @Test
    void writesAnAlignedDirectBufferAsItIs() throws Exception {
        Path f = tmp.resolve("object");
        ByteBuffer b = ByteBuffer.allocateDirect(3 * 4096).alignedSlice(4096).limit(8192);
        while (b.hasRemaining()) {
            b.put((byte) 9);
        }
        b.flip();
        try (AnonymousFd fd = new AnonymousFd(Sys.open(f, Sys.O_WRONLY | Sys.O_CREAT, 0600))) {
            fd.write(8192, b);
            assertThat(fd.nextData(0)).isLessThanOrEqualTo(8192);
            assertThat(fd.nextHole(8192)).isEqualTo(16384);
        }
        assertThat(Files.size(f)).isEqualTo(16384);
    }

    @Test
    void refusesAnUnalignedOffset() throws Exception {
        try (AnonymousFd fd = new AnonymousFd(Sys.open(tmp.resolve("o"), Sys.O_WRONLY | Sys.O_CREAT, 0600))) {
            assertThatThrownBy(() -> fd.write(100, ByteBuffer.allocate(10)))
                    .isInstanceOfSatisfying(FsException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EINVAL));
        }
    }

    @Test
    void readCompleteIsTheCachefilesIoctl() throws Exception {
        assertThat(AnonymousFd.IOC_READ_COMPLETE).isEqualTo(0x40049801L);
        try (AnonymousFd fd = new AnonymousFd(Sys.open(tmp.resolve("o"), Sys.O_WRONLY | Sys.O_CREAT, 0600))) {
            assertThatThrownBy(() -> fd.completeRead(7))
                    .isInstanceOfSatisfying(FsException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ENOTTY))
                    .hasMessageContaining("0x40049801");
        }
    }

    private static byte[] filled(int n, byte v) {
        byte[] b = new byte[n];
        Arrays.fill(b, v);
        return b;
    }
}
