package dev.jnydus.builder;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/** {@link TarReader} reads back what a standard tar writer wrote, and fails only with IOException. */
class TarReaderPropertiesTest {
    record File(String name, byte[] data, int mode, long uid) {
    }

    @Provide
    Arbitrary<List<File>> archives() {
        Arbitrary<String> names = Arbitraries.strings().withChars("abcdefgh_-.ü日").ofMinLength(1).ofMaxLength(120)
                .filter(s -> !s.equals(".") && !s.equals("..") && !s.startsWith("./"));
        Arbitrary<byte[]> data = Arbitraries.bytes().array(byte[].class).ofMaxSize(3000);
        Arbitrary<Integer> modes = Arbitraries.integers().between(0, 07777);
        Arbitrary<Long> uids = Arbitraries.longs().between(0, 3_000_000L);
        return net.jqwik.api.Combinators.combine(names, data, modes, uids).as(File::new).list().ofMaxSize(8)
                .uniqueElements(File::name);
    }

    @Property(tries = 200)
    void readsBackWhatWasWritten(@ForAll("archives") List<File> files) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try (TarArchiveOutputStream out = new TarArchiveOutputStream(buf)) {
            out.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            out.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            for (File f : files) {
                TarArchiveEntry e = new TarArchiveEntry(f.name());
                e.setSize(f.data().length);
                e.setMode(f.mode());
                e.setUserId(f.uid());
                out.putArchiveEntry(e);
                out.write(f.data());
                out.closeArchiveEntry();
            }
        }
        TarReader r = new TarReader(new ByteArrayInputStream(buf.toByteArray()));
        for (File f : files) {
            TarReader.Entry e = r.next();
            assertThat(e).isNotNull();
            assertThat(e.name()).isEqualTo(f.name());
            assertThat(e.mode() & 07777).isEqualTo(f.mode());
            assertThat(e.uid()).isEqualTo(f.uid());
            assertThat(e.type()).isEqualTo('0');
            assertThat(r.data().readAllBytes()).isEqualTo(f.data());
        }
        assertThat(r.next()).isNull();
    }

    @Property(tries = 300)
    void garbageIsRefusedWithIoException(@ForAll @Size(max = 4096) byte[] garbage) {
        TarReader r = new TarReader(new ByteArrayInputStream(garbage));
        try {
            for (int i = 0; i < 16; i++) {
                TarReader.Entry e = r.next();
                if (e == null) {
                    return;
                }
                r.data().readAllBytes();
            }
        } catch (IOException expected) {
            assertThat(expected.getMessage()).isNotBlank();
        }
    }

    @Property(tries = 200)
    void randomPaxRecordsAreRefusedWithIoException(@ForAll @Size(max = 300) byte[] value) {
        // A PAX header whose size/mtime/uid values are arbitrary bytes.
        for (String key : new String[] {"size", "mtime", "uid", "path"}) {
            ByteArrayOutputStream pax = new ByteArrayOutputStream();
            byte[] k = (key + "=").getBytes(StandardCharsets.US_ASCII);
            int len = k.length + value.length + 2;
            len += Integer.toString(len + 3).length();
            pax.writeBytes((len + " ").getBytes(StandardCharsets.US_ASCII));
            pax.writeBytes(k);
            pax.writeBytes(value);
            pax.write('\n');
            ByteArrayOutputStream tar = new ByteArrayOutputStream();
            tar.writeBytes(TarReaderTest.header("pax", 'x', pax.size()));
            tar.writeBytes(java.util.Arrays.copyOf(pax.toByteArray(), (pax.size() + 511) / 512 * 512));
            tar.writeBytes(TarReaderTest.header("file", '0', 0));
            tar.writeBytes(new byte[1024]);
            TarReader r = new TarReader(new ByteArrayInputStream(tar.toByteArray()));
            try {
                for (TarReader.Entry e; (e = r.next()) != null; ) {
                    r.data().readAllBytes();
                }
            } catch (IOException expected) {
                assertThat(expected.getMessage()).isNotBlank();
            }
        }
    }

    @Property(tries = 100)
    void corruptedHeadersAreRefusedWithIoException(@ForAll("archives") List<File> files, @ForAll int seed)
            throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try (TarArchiveOutputStream out = new TarArchiveOutputStream(buf)) {
            out.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (File f : files) {
                TarArchiveEntry e = new TarArchiveEntry(f.name());
                e.setSize(f.data().length);
                out.putArchiveEntry(e);
                out.write(f.data());
                out.closeArchiveEntry();
            }
        }
        byte[] b = buf.toByteArray();
        java.util.Random rnd = new java.util.Random(seed);
        for (int i = 0; i < 4; i++) {
            b[rnd.nextInt(b.length)] ^= (byte) (1 + rnd.nextInt(255));
        }
        TarReader r = new TarReader(new ByteArrayInputStream(b));
        try {
            for (TarReader.Entry e; (e = r.next()) != null; ) {
                r.data().readAllBytes();
                assertThat(e.name().getBytes(StandardCharsets.UTF_8)).isNotNull();
            }
        } catch (IOException expected) {
            assertThat(expected.getMessage()).isNotBlank();
        }
    }
}
