package dev.jnydus.builder.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.jnydus.testkit.Fixtures;
import dev.jnydus.testkit.Privileged;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code nydus-image check} on the upstream-built v5 image, intact and damaged. */
class CheckCommandTest {
    private static final String BLOB = "7334a2594e133cf8ae364189c2276b090fc490c627bcc3fb1077f0419a538e00";

    record Result(int rc, String out, String err) {
    }

    static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int rc = NydusImageCli.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Result(rc, out.toString(), err.toString());
    }

    @Test
    void treeAndMd5ListingEqualUpstreamResult() throws IOException {
        Path dir = Fixtures.dir(Fixtures.V5_SHA256_NOCOMPRESS);
        Result r = run("check", "--bootstrap", dir.resolve("bootstrap").toString(), "--blob-dir",
                dir.resolve("blobs").toString());
        assertThat(r.err()).isEmpty();
        assertThat(r.rc()).isZero();
        assertThat(r.out()).isEqualTo(Files.readString(dir.resolve("tree.json")));
    }

    @Test
    void jsonReportNamesBlobsAndHashes(@TempDir Path tmp) throws IOException {
        Path dir = Fixtures.dir(Fixtures.V5_SHA256_NOCOMPRESS);
        Path json = tmp.resolve("out.json");
        Result r = run("check", "-B", dir.resolve("bootstrap").toString(), "-D", dir.resolve("blobs").toString(), "-J",
                json.toString());
        assertThat(r.rc()).isZero();
        String doc = Files.readString(json);
        assertThat(doc).contains("\"version\" : \"v5\"", BLOB, "\"chunks_verified\" : 29",
                "\"/hardlink-test/foo\" : \"a292e7c6b19c3566a7bbee6a7da632ab\"");
    }

    @Test
    void withoutBlobsOnlyTheTreeIsPrinted() throws IOException {
        Path dir = Fixtures.dir(Fixtures.V5_SHA256_NOCOMPRESS);
        Result r = run("check", "-B", dir.resolve("bootstrap").toString());
        assertThat(r.rc()).isZero();
        String expected = Files.readString(dir.resolve("tree.json"));
        assertThat(r.out()).isEqualTo(expected.substring(0, expected.indexOf("]\n") + 2));
    }

    @Test
    void aFlippedBlobByteFailsWithTheChunkNamed(@TempDir Path tmp) throws IOException {
        Path dir = Fixtures.dir(Fixtures.V5_SHA256_NOCOMPRESS);
        Path blobs = Files.createDirectory(tmp.resolve("blobs"));
        Path blob = blobs.resolve(BLOB);
        Files.copy(dir.resolve("blobs").resolve(BLOB), blob);
        try (var ch = java.nio.channels.FileChannel.open(blob, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(1);
            ch.read(b, 1_000_000);
            b.put(0, (byte) (b.get(0) ^ 0x40));
            b.rewind();
            ch.write(b, 1_000_000);
        }
        Result r = run("check", "-B", dir.resolve("bootstrap").toString(), "-D", blobs.toString());
        assertThat(r.rc()).isNotZero();
        assertThat(r.err().lines()).singleElement().satisfies(line -> assertThat(line)
                .startsWith("Error: ").contains("digest mismatch", BLOB));
    }

    @Test
    void aMissingBlobFailsWithOneLine(@TempDir Path tmp) {
        Path dir = Fixtures.dir(Fixtures.V5_SHA256_NOCOMPRESS);
        Result r = run("check", "-B", dir.resolve("bootstrap").toString(), "-D", tmp.toString());
        assertThat(r.rc()).isNotZero();
        assertThat(r.err().lines()).singleElement().satisfies(line -> assertThat(line).contains(BLOB, "not found"));
    }

    @Test
    void aCorruptBootstrapFailsWithTheFieldNamed(@TempDir Path tmp) throws IOException {
        Path dir = Fixtures.dir(Fixtures.V5_SHA256_NOCOMPRESS);
        byte[] boot = Files.readAllBytes(dir.resolve("bootstrap"));
        boot[12] = 0x13; // s_block_size low byte
        Path bad = tmp.resolve("bad");
        Files.write(bad, boot);
        Result r = run("check", "-B", bad.toString());
        assertThat(r.rc()).isNotZero();
        assertThat(r.err().lines()).singleElement().satisfies(line -> assertThat(line).contains("s_block_size"));
    }

    @Test
    void aFifoAsTheBootstrapFailsAtOnceInsteadOfWaitingForAWriter(@TempDir Path tmp) throws Exception {
        Path fifo = tmp.resolve("bootstrap.fifo");
        Privileged.run("mkfifo", fifo.toString());
        Result r = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> run("check", "-B", fifo.toString()));
        assertThat(r.rc()).isNotZero();
        assertThat(r.err().lines()).singleElement()
                .isEqualTo("Error: bootstrap " + fifo + " is not a regular file (a FIFO)");
    }
}
