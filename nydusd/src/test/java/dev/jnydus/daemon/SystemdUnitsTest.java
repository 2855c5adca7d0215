package dev.jnydus.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jnydus.testkit.Privileged;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code scripts/systemd/install} lays the units, configuration and directories out as a Debian
 * package does, and {@code systemd-analyze verify} accepts the units without a warning. verify
 * insists that {@code ExecStart} binaries exist, so it runs in a private mount namespace where an
 * overlay puts the staged {@code /usr/bin/nydusd} over the host's {@code /usr}; the host is never
 * changed.
 */
@Tag("privileged")
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class SystemdUnitsTest {
    private static final Path INSTALL = Path.of("..", "scripts", "systemd", "install").toAbsolutePath().normalize();

    @TempDir
    Path tmp;

    @Test
    void installStagesTheDebianLayoutAndSystemdAnalyzeVerifiesTheUnits() throws Exception {
        Privileged.requireRoot();
        Privileged.requireTool("systemd-analyze");
        Privileged.requireTool("unshare");
        Path root = tmp.resolve("root");
        Privileged.run(INSTALL.toString(), "--destdir", root.toString(), "--units-only");

        for (String f : new String[] {"lib/systemd/system/nydusd-fscache.service",
            "lib/systemd/system/nydusd-fuse@.service", "etc/nydus/nydusd-fscache.json", "etc/nydus/nydusd-fuse.json",
            "etc/nydus/fuse/example.env", "etc/default/nydusd-fscache", "usr/bin/nydusd", "usr/bin/nydus-image",
            "usr/share/doc/jnydus/README.md"}) {
            assertThat(root.resolve(f)).as(f).isRegularFile();
        }
        assertThat(root.resolve("usr/bin/nydusd")).isExecutable();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(root.resolve("var/lib/nydus/cache"))))
                .isEqualTo("rwx------");
        assertThat(Files.readString(root.resolve("lib/systemd/system/nydusd-fscache.service")))
                .contains("ExecStart=/usr/bin/nydusd singleton --fscache /var/lib/nydus/cache "
                        + "--config /etc/nydus/nydusd-fscache.json");

        Path upper = Files.createDirectories(tmp.resolve("ov/upper/bin"));
        Files.createDirectories(tmp.resolve("ov/work"));
        Files.copy(root.resolve("usr/bin/nydusd"), upper.resolve("nydusd"));
        Files.copy(root.resolve("usr/bin/nydus-image"), upper.resolve("nydus-image"));
        String units = root.resolve("lib/systemd/system/nydusd-fscache.service") + " "
                + root.resolve("lib/systemd/system/nydusd-fuse@.service");
        String out = Privileged.run("unshare", "-m", "--propagation", "private", "sh", "-c",
                "mount -t overlay overlay -o lowerdir=/usr,upperdir=" + tmp.resolve("ov/upper") + ",workdir="
                        + tmp.resolve("ov/work") + " /usr && systemd-analyze verify " + units + " 2>&1");
        assertThat(out).as("systemd-analyze verify output").isBlank();
    }

    @Test
    void aReinstallKeepsConfigurationTheAdministratorChanged() throws Exception {
        Privileged.requireRoot();
        Path root = tmp.resolve("root");
        Privileged.run(INSTALL.toString(), "--destdir", root.toString(), "--units-only");
        Path conf = root.resolve("etc/nydus/nydusd-fscache.json");
        Files.writeString(conf, "{\"blobs\": [ ]}\n");
        Privileged.run(INSTALL.toString(), "--destdir", root.toString(), "--units-only");
        assertThat(conf).hasContent("{\"blobs\": [ ]}");
        assertThat(root.resolve("etc/nydus/nydusd-fscache.json.dist")).isRegularFile();
        Privileged.run(INSTALL.toString(), "--destdir", root.toString(), "--uninstall");
        assertThat(root.resolve("usr/bin/nydusd")).doesNotExist();
        assertThat(root.resolve("lib/systemd/system/nydusd-fscache.service")).doesNotExist();
        assertThat(conf).exists();
    }
}
