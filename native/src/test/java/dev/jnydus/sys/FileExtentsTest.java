package dev.jnydus.sys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jnydus.common.Errno;
import dev.jnydus.common.FsException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileExtentsTest {
    private static final int BLOCK = 64 << 10;

    @TempDir
    Path tmp;

    /**
     * A sparse file with data in its second block only. Filesystems may round extents to their own
     * block size, so the test only relies on what every Linux filesystem with SEEK_HOLE promises:
     * data found is where we wrote, and no hole inside what we wrote.
     */
    @Test
    void findsTheWrittenExtentOfASparseFile() throws Exception {
        Path f = tmp.resolve("sparse");
        try (Fd fd = Sys.open(f, Sys.O_RDWR | Sys.O_CREAT, 0600)) {
            ByteBuffer data = ByteBuffer.allocateDirect(BLOCK);
            while (data.hasRemaining()) {
                data.put((byte) 7);
            }
            data.flip();
            Sys.pwrite(fd, data, BLOCK);
            Sys.pwrite(fd, ByteBuffer.allocateDirect(1), 4L * BLOCK - 1);

            long d = FileExtents.nextData(fd, 0);
            assertThat(d).isBetween(0L, (long) BLOCK);
            long h = FileExtents.nextHole(fd, BLOCK);
            assertThat(h).isGreaterThanOrEqualTo(2L * BLOCK);
            assertThat(FileExtents.nextHole(fd, 4L * BLOCK)).isEqualTo(-1);
            assertThat(FileExtents.nextData(fd, 4L * BLOCK)).isEqualTo(-1);
        }
    }

    @Test
    void anEmptyFileHasNoData() throws Exception {
        Path f = Files.createFile(tmp.resolve("empty"));
        try (Fd fd = Sys.open(f, Sys.O_RDONLY)) {
            assertThat(FileExtents.nextData(fd, 0)).isEqualTo(-1);
        }
    }

    @Test
    void aPipeCannotSeek() throws Exception {
        Fd[] p = Sys.pipe(0);
        try (Fd r = p[0]; Fd w = p[1]) {
            assertThatThrownBy(() -> FileExtents.nextData(r, 0))
                    .isInstanceOfSatisfying(FsException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ESPIPE))
                    .hasMessageContaining("SEEK_DATA");
        }
    }
}
