package dev.jnydus.builder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jnydus.builder.cli.NydusImageCli;
import dev.jnydus.testkit.Privileged;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.RandomAccessFile;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 4, check 4: bad input gives a clear error that names the entry, and leaves no output (no
 * bootstrap, no blob, no temporary file).
 */
class BadInputTest {
    @TempDir
    Path tmp;

    private Path out() throws IOException {
        return Files.createDirectories(tmp.resolve("out"));
    }

    private void assertNoOutput(Path out) throws IOException {
        try (Stream<Path> s = Files.list(out)) {
            assertThat(s.toList()).as("files left in %s", out).isEmpty();
        }
    }

    private BuildResult buildTar(Path tar, Path out) throws IOException {
        return new ImageBuilder(BuildOptions.defaults().withType(SourceType.TAR), null)
                .create(tar, BuildOutputs.toDir(out.resolve("image.boot"), out));
    }

    @Test
    void tooLongNameInTarIsRefusedNamingTheEntry() throws IOException {
        Path tar = tmp.resolve("long.tar");
        String longName = "n".repeat(300);
        try (TarLayer t = new TarLayer(tar, false)) {
            t.dir("dir").file("dir/ok", "fine\n").file("dir/" + longName, "too long\n");
        }
        Path out = out();
        assertThatThrownBy(() -> buildTar(tar, out)).isInstanceOf(BuildException.class)
                .hasMessageContaining("dir/" + longName).hasMessageContaining("too long");
        assertNoOutput(out);
    }

    @Test
    void truncatedTarIsRefusedNamingTheEntry() throws IOException {
        Path tar = tmp.resolve("trunc.tar");
        byte[] big = new byte[3 << 20];
        new Random(1).nextBytes(big);
        try (TarLayer t = new TarLayer(tar, false)) {
            t.file("first", "first\n").file("big.bin", big);
        }
        try (RandomAccessFile f = new RandomAccessFile(tar.toFile(), "rw")) {
            f.setLength(f.length() / 2);
        }
        Path out = out();
        assertThatThrownBy(() -> buildTar(tar, out)).isInstanceOf(BuildException.class)
                .hasMessageContaining("/big.bin")
                .satisfies(e -> assertThat(e.getMessage().toLowerCase()).contains("truncated"));
        assertNoOutput(out);
    }

    @Test
    void corruptTarHeaderIsRefusedNamingTheLastGoodEntry() throws IOException {
        Path tar = tmp.resolve("corrupt.tar");
        try (TarLayer t = new TarLayer(tar, false)) {
            t.file("first", "first\n").file("second", "second\n");
        }
        byte[] b = Files.readAllBytes(tar);
        // Header of "second": after first's header (512) and its data block (512). Break its checksum.
        b[1024 + 148] = 'x';
        b[1024 + 149] = 'y';
        Files.write(tar, b);
        Path out = out();
        assertThatThrownBy(() -> buildTar(tar, out)).isInstanceOf(BuildException.class)
                .hasMessageContaining("corrupt or truncated tar after entry /first");
        assertNoOutput(out);
    }

    @Test
    void truncatedGzipIsRefused() throws IOException {
        Path tgz = tmp.resolve("layer.tar.gz");
        byte[] big = new byte[2 << 20];
        new Random(2).nextBytes(big);
        try (TarLayer t = new TarLayer(tgz, true)) {
            t.file("a", "a\n").file("b.bin", big).file("c", "c\n");
        }
        try (RandomAccessFile f = new RandomAccessFile(tgz.toFile(), "rw")) {
            f.setLength(f.length() * 2 / 3);
        }
        Path out = out();
        assertThatThrownBy(() -> new ImageBuilder(BuildOptions.defaults().withType(SourceType.TARGZ), null)
                .create(tgz, BuildOutputs.toDir(out.resolve("image.boot"), out)))
                .isInstanceOf(BuildException.class).hasMessageContaining("/b.bin");
        assertNoOutput(out);
    }

    @Test
    void hardlinkToAMissingTargetIsRefused() throws IOException {
        Path tar = tmp.resolve("link.tar");
        try (TarLayer t = new TarLayer(tar, false)) {
            t.file("a", "a\n").hardlink("b", "missing");
        }
        Path out = out();
        assertThatThrownBy(() -> buildTar(tar, out)).isInstanceOf(BuildException.class)
                .hasMessageContaining("/b").hasMessageContaining("unknown target /missing");
        assertNoOutput(out);
    }

    @Test
    void entryBelowARegularFileIsRefused() throws IOException {
        Path tar = tmp.resolve("below-file.tar");
        try (TarLayer t = new TarLayer(tar, false)) {
            t.file("a", "a file\n").file("a/b", "cannot live under a file\n");
        }
        Path out = out();
        assertThatThrownBy(() -> buildTar(tar, out)).isInstanceOf(BuildException.class)
                .hasMessageContaining("/a/b").hasMessageContaining("parent /a is not a directory");
        assertNoOutput(out);
    }

    @Test
    void cliPrintsOneLineAndExitsNonZero() throws IOException {
        Path tar = tmp.resolve("trunc.tar");
        try (TarLayer t = new TarLayer(tar, false)) {
            t.file("x", new byte[100_000]);
        }
        try (RandomAccessFile f = new RandomAccessFile(tar.toFile(), "rw")) {
            f.setLength(50_000);
        }
        Path out = out();
        StringWriter err = new StringWriter();
        int rc = NydusImageCli.run(new String[] {"create", "--type", "tar-rafs", "--bootstrap",
            out.resolve("image.boot").toString(), "--blob-dir", out.toString(), tar.toString()},
                new PrintWriter(new StringWriter()), new PrintWriter(err));
        assertThat(rc).isEqualTo(1);
        assertThat(err.toString().lines().toList()).hasSize(1).first().asString().startsWith("Error: ")
                .contains("/x");
        assertNoOutput(out);
    }

    /** The test class path copied where nobody can read it (the local Maven repository is under /root). */
    private String readableClasspath() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("cp"));
        List<String> entries = new ArrayList<>();
        int i = 0;
        for (String e : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            Path p = Path.of(e);
            Path copy = dir.resolve(i++ + "-" + p.getFileName());
            if (Files.isDirectory(p)) {
                try (Stream<Path> walk = Files.walk(p)) {
                    for (Path f : (Iterable<Path>) walk::iterator) {
                        Path t = copy.resolve(p.relativize(f).toString());
                        if (Files.isDirectory(f)) {
                            Files.createDirectories(t);
                        } else {
                            Files.copy(f, t);
                        }
                    }
                }
            } else if (Files.exists(p)) {
                Files.copy(p, copy);
            } else {
                continue;
            }
            entries.add(copy.toString());
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path f : (Iterable<Path>) walk::iterator) {
                Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(
                        Files.isDirectory(f) ? "rwxr-xr-x" : "rw-r--r--"));
            }
        }
        return String.join(java.io.File.pathSeparator, entries);
    }

    /** A file the building user cannot read: the build runs as nobody in a child JVM. */
    @Test
    void unreadableFileIsRefusedNamingIt() throws Exception {
        Privileged.requireRoot();
        Privileged.requireTool("setpriv");
        // Every directory down to the source must be searchable by nobody.
        for (Path p = tmp; p != null && !p.equals(Path.of("/")); p = p.getParent()) {
            if (p.startsWith(Path.of("/tmp")) && !p.equals(Path.of("/tmp"))) {
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
            }
        }
        Path src = Files.createDirectories(tmp.resolve("src/dir"));
        Files.writeString(src.resolve("public"), "anyone\n");
        Path secret = Files.writeString(src.resolve("secret"), "root only\n");
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("---------"));
        Files.setPosixFilePermissions(tmp.resolve("src"), PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(src, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path out = out();
        Files.setPosixFilePermissions(out, PosixFilePermissions.fromString("rwxrwxrwx"));

        List<String> cmd = new ArrayList<>(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                ProcessHandle.current().info().command().orElse("java"), "-Djna.tmpdir=" + out,
                "-cp", readableClasspath(), NydusImageCli.class.getName(), "create",
                "--bootstrap", out.resolve("image.boot").toString(), "--blob-dir", out.toString(),
                tmp.resolve("src").toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("LANG", "C.UTF-8");
        Process p = pb.start();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(err).isEqualTo(1);
        assertThat(err.lines().filter(l -> l.startsWith("Error: ")).toList()).as(err).hasSize(1).first()
                .asString().contains(secret.toString()).contains("Permission denied");
        try (Stream<Path> s = Files.list(out)) {
            assertThat(s.filter(f -> !f.getFileName().toString().startsWith("jna")).toList()).isEmpty();
        }
    }
}
