package dev.jnydus.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jnydus.builder.cli.NydusImageCli;
import dev.jnydus.common.Errno;
import dev.jnydus.common.FsException;
import dev.jnydus.daemon.ctl.ApiClient;
import dev.jnydus.sys.Xattrs;
import dev.jnydus.testkit.Privileged;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Round trips the kernel need not make, counted by the daemon itself (its per-operation request
 * counters): a file opened again sends no OPEN, and on an image without xattrs the kernel caches
 * "no POSIX ACL" (POSIX_ACL negotiated) instead of asking at every {@code ls -l}, and, the start's
 * walk having found no xattr in it, stops asking for any xattr after the first question (answered
 * ENOSYS; readers get EOPNOTSUPP, listxattr still answers an empty list). An image with xattrs
 * keeps upstream's behaviour: every question reaches the daemon.
 */
@Tag("privileged")
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class NydusdRoundTripsTest {
    private static final byte[] ACL = "system.posix_acl_access".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SELINUX = "security.selinux".getBytes(StandardCharsets.US_ASCII);

    @TempDir
    Path tmp;

    @Test
    void imageWithoutXattrsAnswersAclQuestionsOnceAndOpensWithoutRoundTrips() throws Exception {
        Path src = tree(false);
        try (Mounted m = mount(src, "plain")) {
            TreeCompare.assertSameTree(src, m.mp, true);
            Path f = m.mp.resolve("d/f1");
            Path d = m.mp.resolve("d");
            assertThat(Xattrs.get(f, ACL)).as("no ACL").isNull();
            assertThat(Xattrs.get(d, ACL)).isNull();
            long acl = m.count("getxattr");
            for (int i = 0; i < 3; i++) {
                assertThat(Xattrs.get(f, ACL)).isNull();
                assertThat(Xattrs.get(d, ACL)).isNull();
            }
            assertThat(m.count("getxattr")).as("\"no ACL\" cached by the kernel after one question per inode")
                    .isEqualTo(acl);
            // The check at start walked the image and found no xattr: the first other question is
            // answered ENOSYS, the kernel says EOPNOTSUPP from then on without asking.
            assertThatThrownBy(() -> Xattrs.get(f, SELINUX)).isInstanceOfSatisfying(FsException.class,
                    e -> assertThat(e.errno()).isEqualTo(Errno.EOPNOTSUPP));
            long asked = m.count("getxattr");
            assertThat(asked).as("at most one question beyond the ACL ones").isLessThanOrEqualTo(acl + 1);
            for (int i = 0; i < 3; i++) {
                assertThatThrownBy(() -> Xattrs.get(m.mp.resolve("d/f2"), SELINUX)).isInstanceOf(FsException.class);
                assertThatThrownBy(() -> Xattrs.get(d, SELINUX)).isInstanceOf(FsException.class);
            }
            assertThat(m.count("getxattr")).as("no getxattr reaches the daemon any more").isEqualTo(asked);
            assertThat(Xattrs.list(f)).as("listxattr still answers").isEmpty();

            byte[] first = Files.readAllBytes(m.mp.resolve("d/f2"));
            long opens = m.count("open");
            assertThat(opens).as("at most the one OPEN that told the kernel opens need no message").isLessThanOrEqualTo(1);
            for (int i = 0; i < 3; i++) {
                assertThat(Files.readAllBytes(m.mp.resolve("d/f" + i))).isEqualTo(Files.readAllBytes(src.resolve("d/f" + i)));
            }
            assertThat(first).isEqualTo(Files.readAllBytes(src.resolve("d/f2")));
            assertThat(m.count("open")).as("no OPEN for later opens").isEqualTo(opens);
            assertThat(m.count("release")).as("no RELEASE either").isZero();
        }
    }

    @Test
    void imageWithXattrsKeepsAskingTheDaemon() throws Exception {
        Path src = tree(true);
        try (Mounted m = mount(src, "xattrs")) {
            TreeCompare.assertSameTree(src, m.mp, true);
            Path f = m.mp.resolve("d/f1");
            assertThat(new String(Xattrs.get(f, "user.tag".getBytes(StandardCharsets.US_ASCII)),
                    StandardCharsets.UTF_8)).isEqualTo("one");
            assertThat(Xattrs.get(f, ACL)).isNull();
            long before = m.count("getxattr");
            assertThat(Xattrs.get(f, ACL)).isNull();
            assertThat(m.count("getxattr")).as("no POSIX_ACL: the kernel asks again").isEqualTo(before + 1);
            for (int i = 0; i < 2; i++) {
                assertThat(Xattrs.get(m.mp.resolve("d/f0"), SELINUX)).as("no such attribute, as upstream").isNull();
            }
            assertThat(m.count("getxattr")).as("every question reaches the daemon").isEqualTo(before + 3);
        }
    }

    private Path tree(boolean xattr) throws Exception {
        Path src = Files.createDirectories(tmp.resolve(xattr ? "src-x" : "src").resolve("d"));
        Random rnd = new Random(13);
        for (int i = 0; i < 3; i++) {
            byte[] b = new byte[5000 + 70000 * i];
            rnd.nextBytes(b);
            Files.write(src.resolve("f" + i), b);
        }
        Files.createLink(src.resolve("hard"), src.resolve("f0"));
        Files.createSymbolicLink(src.resolve("link"), Path.of("f1"));
        if (xattr) {
            Xattrs.set(src.resolve("f1"), "user.tag".getBytes(StandardCharsets.US_ASCII),
                    "one".getBytes(StandardCharsets.UTF_8));
        }
        return src.getParent();
    }

    private Mounted mount(Path src, String name) throws Exception {
        Privileged.requireFuse();
        Path blobs = Files.createDirectories(tmp.resolve(name + "-blobs"));
        Path boot = tmp.resolve(name + ".boot");
        StringWriter err = new StringWriter();
        int rc = NydusImageCli.run(new String[] {"create", "--fs-version", "6", "--compressor", "none", "--bootstrap",
            boot.toString(), "--blob-dir", blobs.toString(), src.toString()}, new PrintWriter(new StringWriter(), true),
                new PrintWriter(err, true));
        assertThat(rc).as("nydus-image create: %s", err).isZero();
        Path cfg = tmp.resolve(name + ".json");
        Files.writeString(cfg, "{\"device\":{\"backend\":{\"type\":\"localfs\",\"config\":{\"dir\":\"" + blobs
                + "\"}},\"cache\":{\"type\":\"blobcache\",\"config\":{\"work_dir\":\"" + tmp.resolve(name + "-cache")
                + "\"}}},\"mode\":\"direct\",\"enable_xattr\":true}");
        Path mp = Files.createDirectories(tmp.resolve(name + "-mnt"));
        Path sock = tmp.resolve(name + ".sock");
        NydusdProcess d = NydusdProcess.start(tmp.resolve(name + ".log"), mp, "--mountpoint", mp.toString(), "--config",
                cfg.toString(), "--bootstrap", boot.toString(), "--apisock", sock.toString());
        try {
            d.awaitMounted(Duration.ofSeconds(60));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (!Files.exists(sock, LinkOption.NOFOLLOW_LINKS)) {
                assertThat(d.isAlive()).as("nydusd is running:\n%s", d.log()).isTrue();
                assertThat(System.nanoTime()).as("API socket within 60 s").isLessThan(deadline);
                java.util.concurrent.locks.LockSupport.parkNanos(20_000_000);
            }
            return new Mounted(d, mp, ApiClient.connect(sock));
        } catch (Exception | AssertionError e) {
            d.close();
            throw e;
        }
    }

    private record Mounted(NydusdProcess daemon, Path mp, ApiClient api) implements AutoCloseable {
        /** FUSE requests of operation {@code op} the daemon has answered so far. */
        long count(String op) throws Exception {
            ApiClient.Response r = api.get("/api/v1/metrics/prometheus");
            assertThat(r.status()).isEqualTo(200);
            Matcher m = Pattern.compile("nydusd_fuse_request_duration_seconds_count\\{op=\"" + op + "\"\\} (\\d+)")
                    .matcher(r.body());
            return m.find() ? Long.parseLong(m.group(1)) : 0;
        }

        @Override
        public void close() throws Exception {
            try {
                api.close();
            } finally {
                daemon.close();
            }
        }
    }

}
