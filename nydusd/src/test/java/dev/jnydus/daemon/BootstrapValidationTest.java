package dev.jnydus.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jnydus.builder.check.ImageChecker;
import dev.jnydus.builder.cli.NydusImageCli;
import dev.jnydus.builder.check.TreeJson;
import dev.jnydus.daemon.cli.StartupException;
import dev.jnydus.rafs.metadata.ImageValidator;
import dev.jnydus.rafs.metadata.RafsSuper;
import dev.jnydus.sys.Xattrs;
import dev.jnydus.testkit.Fixtures;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The daemon's check of a bootstrap at mount ({@link RafsInstance#openBootstrap} then
 * {@link BootstrapValidation}) rejects every bootstrap {@code nydus-image check} rejects: mutants
 * of the upstream fixtures, each one byte changed past the superblock (where the inodes, chunk
 * records and directories are). A daemon that checked only the root mounted them, and their
 * files then answered EIO.
 */
class BootstrapValidationTest {
    private static final int MUTANTS = 400;

    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"upstream-v5-sha256-nocompress", "upstream-v5-blake3-nocompress", "upstream-v6-zstd-blake3"})
    void everyBootstrapTheCheckerRejectsTheDaemonRejects(String fixture) throws Exception {
        byte[] good = Files.readAllBytes(Fixtures.dir(fixture).resolve("bootstrap"));
        Random r = new Random(fixture.hashCode());
        int rejectedByCheck = 0;
        List<String> mountedAnyway = new ArrayList<>();
        for (int t = 0; t < MUTANTS; t++) {
            byte[] m = good.clone();
            int pos = 8192 + r.nextInt(good.length - 8192);
            m[pos] = switch (r.nextInt(3)) {
                case 0 -> (byte) (m[pos] ^ (1 << r.nextInt(8)));
                case 1 -> (byte) 0xff;
                default -> 0;
            };
            Path p = Files.write(tmp.resolve("mutant"), m);
            if (!checkRejects(p)) {
                continue;
            }
            rejectedByCheck++;
            if (!daemonRejects(p)) {
                mountedAnyway.add("byte " + pos + ": " + (good[pos] & 0xff) + " -> " + (m[pos] & 0xff));
            }
        }
        assertThat(rejectedByCheck).as("mutants the checker rejects").isPositive();
        assertThat(mountedAnyway).as("mutants nydus-image check rejects but the daemon accepts").isEmpty();
    }

    @Test
    void aRejectionNamesTheBootstrapAndTheField() throws Exception {
        // Inode 38's first chunk claims 441 bytes instead of 256: its directory and the root are fine.
        Path boot = Fixtures.dir(Fixtures.V5_SHA256_NOCOMPRESS).resolve("bootstrap");
        byte[] m = Files.readAllBytes(boot);
        m[15084] = 0;
        Path p = Files.write(tmp.resolve("bad-chunk"), m);
        assertThatThrownBy(() -> validate(p))
                .isInstanceOf(StartupException.class)
                .hasMessage("failed to load bootstrap " + p + ": inode 38 chunk 0: file_offset 0 and uncompressed_size "
                        + "256, expected 0 and 441");
    }

    @Test
    void aGoodBootstrapPassesAndCountsItsEntries() throws Exception {
        Path boot = Fixtures.dir(Fixtures.V5_SHA256_NOCOMPRESS).resolve("bootstrap");
        try (RafsSuper sb = RafsInstance.openBootstrap(boot)) {
            ImageValidator.Summary s = BootstrapValidation.start(sb, boot).await();
            assertThat(s.entries()).isEqualTo(ImageChecker.walk(sb));
            assertThat(s.xattrFree()).as("the fixture has no xattrs").isTrue();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"5", "6"})
    void theCheckCountsTheEntriesWithXattrs(String version) throws Exception {
        Path src = Files.createDirectories(tmp.resolve("src"));
        Files.writeString(src.resolve("plain"), "plain");
        Files.writeString(src.resolve("tagged"), "tagged");
        Xattrs.set(src.resolve("tagged"), "user.tag".getBytes(StandardCharsets.US_ASCII),
                "v".getBytes(StandardCharsets.US_ASCII));
        Path boot = tmp.resolve("x.boot");
        StringWriter err = new StringWriter();
        int rc = NydusImageCli.run(new String[] {"create", "--fs-version", version, "--compressor", "none",
            "--bootstrap", boot.toString(), "--blob-dir", Files.createDirectories(tmp.resolve("blobs")).toString(),
            src.toString()}, new PrintWriter(new StringWriter(), true), new PrintWriter(err, true));
        assertThat(rc).as("nydus-image create: %s", err).isZero();
        try (RafsSuper sb = RafsInstance.openBootstrap(boot)) {
            ImageValidator.Summary s = BootstrapValidation.start(sb, boot).await();
            assertThat(s.entries()).isEqualTo(3);
            assertThat(s.entriesWithXattrs()).isEqualTo(1);
            assertThat(s.xattrFree()).isFalse();
        }
    }

    private static boolean checkRejects(Path p) {
        try (RafsSuper sb = RafsSuper.open(p)) {
            ImageChecker.walk(sb);
            TreeJson.render(sb);
            return false;
        } catch (IOException | RuntimeException e) {
            return true;
        }
    }

    private static boolean daemonRejects(Path p) throws InterruptedException {
        try {
            validate(p);
            return false;
        } catch (StartupException e) {
            return true;
        }
    }

    private static void validate(Path p) throws StartupException, InterruptedException {
        try (RafsSuper sb = RafsInstance.openBootstrap(p)) {
            BootstrapValidation.start(sb, p).await();
        } catch (IOException e) {
            throw new StartupException(e.getMessage(), e);
        }
    }
}
