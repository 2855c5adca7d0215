package dev.jnydus.builder.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jnydus.rafs.metadata.RafsSuper;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code nydus-image create} and {@code merge} as a user runs them. */
class CreateMergeCommandTest {
    @TempDir
    Path tmp;

    record Result(int rc, String out, String err) {
    }

    static Result run(String stdin, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        InputStream savedIn = System.in;
        try {
            System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
            int rc = NydusImageCli.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
            return new Result(rc, out.toString(), err.toString());
        } finally {
            System.setIn(savedIn);
        }
    }

    private Path tree(String name) throws IOException {
        Path src = Files.createDirectories(tmp.resolve(name));
        Files.createDirectories(src.resolve("etc"));
        Files.writeString(src.resolve("etc/hosts"), "127.0.0.1 localhost\n");
        Files.write(src.resolve("data.bin"), new byte[300_000]);
        return src;
    }

    @Test
    void createWritesBootstrapAndBlobNamedByItsIdThenCheckVerifiesThem() throws IOException {
        Path src = tree("src");
        Path out = Files.createDirectories(tmp.resolve("out"));
        Path json = tmp.resolve("out.json");
        Result r = run("/etc/hosts\n", "create", "--bootstrap", out.resolve("image.boot").toString(), "--blob-dir",
                out.toString(), "--fs-version", "6", "--compressor", "lz4_block", "--digester", "sha256",
                "--chunk-size", "0x10000", "--prefetch-policy", "fs", "--output-json", json.toString(),
                src.toString());
        assertThat(r.err()).isEmpty();
        assertThat(r.rc()).isZero();
        String blobId;
        try (Stream<Path> s = Files.list(out)) {
            blobId = s.map(p -> p.getFileName().toString()).filter(n -> n.matches("[0-9a-f]{64}")).findFirst()
                    .orElseThrow();
        }
        assertThat(Files.readString(json)).contains(blobId, "\"fs_version\" : \"6\"", "lz4_block");
        try (RafsSuper sb = RafsSuper.open(out.resolve("image.boot"))) {
            assertThat(sb.chunkSize()).isEqualTo(0x10000);
            assertThat(sb.prefetchInodes()).hasSize(1);
            assertThat(sb.blobs().get(0).blobId()).isEqualTo(blobId);
        }
        Result check = run("", "check", "-B", out.resolve("image.boot").toString(), "-D", out.toString());
        assertThat(check.rc()).isZero();
        assertThat(check.out()).contains("/etc/hosts", "/data.bin");
    }

    @Test
    void bootstrapWithoutPathIsNamedByItsDigestInTheBlobDir() throws IOException {
        Path out = Files.createDirectories(tmp.resolve("out"));
        Result r = run("", "create", "-D", out.toString(), "--fs-version", "5", tree("src").toString());
        assertThat(r.rc()).as(r.err()).isZero();
        try (Stream<Path> s = Files.list(out)) {
            assertThat(s.map(p -> p.getFileName().toString()).toList()).hasSize(2)
                    .allMatch(n -> n.matches("[0-9a-f]{64}"));
        }
    }

    @Test
    void badFlagsGiveOneLineAndNoOutput() throws IOException {
        Path src = tree("src");
        Path out = Files.createDirectories(tmp.resolve("out"));
        String boot = out.resolve("b").toString();
        String[][] cases = {
            {"create", "-B", boot, "-D", out.toString(), "--compressor", "brotli", src.toString()},
            {"create", "-B", boot, "-D", out.toString(), "--chunk-size", "0x1234", src.toString()},
            {"create", "-B", boot, "-D", out.toString(), "--fs-version", "5", "--features", "blob-toc", src.toString()},
            {"create", "-B", boot, src.toString()},
            {"create", "-B", boot, "-D", out.toString(), "--type", "estargz-ref", src.toString()},
            {"create", "-B", boot, "-D", out.toString(), tmp.resolve("missing").toString()},
        };
        for (String[] args : cases) {
            Result r = run("", args);
            assertThat(r.rc()).as(String.join(" ", args)).isEqualTo(1);
            assertThat(r.err().lines().toList()).as(String.join(" ", args)).hasSize(1).first().asString()
                    .startsWith("Error: ");
        }
        try (Stream<Path> s = Files.list(out)) {
            assertThat(s.toList()).isEmpty();
        }
    }

    @Test
    void mergeTwoLayers() throws IOException {
        Path a = tree("a");
        Path b = tree("b");
        Files.writeString(b.resolve("etc/hosts"), "changed\n");
        Files.delete(b.resolve("data.bin"));
        Files.writeString(b.resolve(".wh.data.bin"), "");
        Path out = Files.createDirectories(tmp.resolve("out"));
        // The upper layer keeps its whiteout only with --whiteout-spec none (a directory build drops it).
        assertThat(run("", "create", "-B", out.resolve("a.boot").toString(), "-D", out.toString(), a.toString()).rc())
                .isZero();
        assertThat(run("", "create", "-B", out.resolve("b.boot").toString(), "-D", out.toString(), "--whiteout-spec",
                "none", b.toString()).rc()).isZero();
        Result r = run("", "merge", "-B", out.resolve("merged.boot").toString(), out.resolve("a.boot").toString(),
                out.resolve("b.boot").toString());
        assertThat(r.rc()).as(r.err()).isZero();
        Result check = run("", "check", "-B", out.resolve("merged.boot").toString(), "-D", out.toString());
        assertThat(check.rc()).as(check.err()).isZero();
        assertThat(check.out()).contains("/etc/hosts").doesNotContain("data.bin");
    }

    @Test
    void progressLineOnlyOnATerminal() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        long[] now = {0};
        TerminalProgress p = new TerminalProgress(new PrintStream(buf, true, StandardCharsets.UTF_8), true,
                () -> now[0]);
        p.scanned(10, 10L << 20);
        now[0] += 1_000_000_000L;
        p.dataRead(5L << 20);
        p.done();
        assertThat(buf.toString(StandardCharsets.UTF_8)).contains("\r", "5/10 MiB (50%)").endsWith("\r\033[K");
        ByteArrayOutputStream none = new ByteArrayOutputStream();
        TerminalProgress q = new TerminalProgress(new PrintStream(none, true, StandardCharsets.UTF_8), false,
                System::nanoTime);
        q.scanned(10, 10L << 20);
        q.dataRead(5L << 20);
        q.done();
        assertThat(none.size()).isZero();
    }
}
