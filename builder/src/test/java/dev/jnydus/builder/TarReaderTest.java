package dev.jnydus.builder;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jnydus.rafs.metadata.RafsInode;
import dev.jnydus.rafs.metadata.RafsSuper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tar details that general-purpose readers get wrong for OCI layers. */
class TarReaderTest {
    @TempDir
    Path tmp;

    /** A {@code security.capability} value is binary: it must reach the image byte for byte. */
    @Test
    void binaryXattrInPaxHeaderIsKeptExactly() throws IOException {
        byte[] cap = {1, 0, 0, 2, (byte) 0x80, 0x20, 0, 0, (byte) 0xFF, (byte) 0xFE, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
        ByteArrayOutputStream pax = new ByteArrayOutputStream();
        byte[] key = "SCHILY.xattr.security.capability=".getBytes(StandardCharsets.US_ASCII);
        int len = key.length + cap.length + 2;
        len += Integer.toString(len + 3).length(); // the length field counts itself
        pax.writeBytes((len + " ").getBytes(StandardCharsets.US_ASCII));
        pax.writeBytes(key);
        pax.writeBytes(cap);
        pax.write('\n');
        byte[] paxData = pax.toByteArray();
        assertThat(paxData).hasSize(len);

        ByteArrayOutputStream tar = new ByteArrayOutputStream();
        tar.writeBytes(header("PaxHeaders/ping", 'x', paxData.length));
        tar.writeBytes(padded(paxData));
        byte[] content = "ELF...".getBytes(StandardCharsets.US_ASCII);
        tar.writeBytes(header("usr/bin/ping", '0', content.length));
        tar.writeBytes(padded(content));
        tar.writeBytes(new byte[1024]);
        Path file = tmp.resolve("layer.tar");
        Files.write(file, tar.toByteArray());

        Path out = Files.createDirectories(tmp.resolve("out"));
        BuildResult r = new ImageBuilder(BuildOptions.defaults().withType(SourceType.TAR), null)
                .create(file, BuildOutputs.toDir(out.resolve("boot"), out));
        try (RafsSuper sb = RafsSuper.open(r.bootstrap())) {
            RafsInode usr = sb.lookup(sb.inode(sb.rootIno()), "usr".getBytes(StandardCharsets.UTF_8));
            RafsInode bin = sb.lookup(usr, "bin".getBytes(StandardCharsets.UTF_8));
            RafsInode ping = sb.lookup(bin, "ping".getBytes(StandardCharsets.UTF_8));
            assertThat(ping.xattr("security.capability".getBytes(StandardCharsets.US_ASCII))).isEqualTo(cap);
            assertThat(ping.size()).isEqualTo(content.length);
        }
    }

    private static byte[] padded(byte[] b) {
        return java.util.Arrays.copyOf(b, (b.length + 511) / 512 * 512);
    }

    /** A ustar header: name, mode 0755, size, type, checksum. */
    static byte[] header(String name, char type, long size) {
        byte[] h = new byte[512];
        byte[] n = name.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(n, 0, h, 0, n.length);
        put(h, 100, "0000755");
        put(h, 108, "0000000");
        put(h, 116, "0000000");
        put(h, 124, String.format("%011o", size));
        put(h, 136, String.format("%011o", 1_600_000_000L));
        h[156] = (byte) type;
        put(h, 257, "ustar");
        put(h, 263, "00");
        int sum = 0;
        for (int i = 0; i < 512; i++) {
            sum += i >= 148 && i < 156 ? ' ' : h[i] & 0xFF;
        }
        put(h, 148, String.format("%06o", sum));
        h[155] = ' ';
        return h;
    }

    private static void put(byte[] h, int off, String s) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(b, 0, h, off, b.length);
    }
}
