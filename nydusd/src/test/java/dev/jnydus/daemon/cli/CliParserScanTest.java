package dev.jnydus.daemon.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link CliParser#parse} reads plain command lines without picocli: on every line here it must
 * answer exactly as the picocli model does (the same outcome, or the same error and message), and
 * the lines the snapshotter and the docs write must take the plain path. Arguments are separated
 * by '|' so that empty ones can be written.
 */
class CliParserScanTest {

    @ParameterizedTest
    @ValueSource(strings = {
        // what the snapshotter, the docs and the scripts write
        "fuse|--config|/etc/nydus/cfg.json|--mountpoint|/m|--bootstrap|/b|--apisock|/run/api.sock|--log-level|info",
        "--config|/c.json|--mountpoint|/m|--bootstrap|/b|--apisock|/a",
        "--bootstrap|/b|--localfs-dir|/d|--mountpoint|/m|--log-level|warn",
        "singleton|--fscache|/var/lib/nydus/cache|--apisock|/run/api.sock|--log-level|info",
        "--mountpoint|/m|--upgrade|--id|d1|--supervisor|/run/sup.sock|--apisock|/a",
        "fuse|-M|/m|--failover-policy|flush|--thread-num|8|--writable|-B|/b|-D|/d|-m|/sub",
        "-A|/a|-C|/c|--id|i|--supervisor|/s|-l|debug|-L|/var/log/n|--log-rotation-size|16|--rlimit-nofile|0|"
                + "--upgrade|-M|/m|--failover-policy|none|--fuse-threads|16|--writable|-B|/b|--prefetch-files|/p|"
                + "-m|/sub|--dedup-db|/db",
        "--apisock|/a|fuse|-M|/m",
        "--log-level|debug|fuse|--log-level|info|-M|/m",
        "--mountpoint=/m|--bootstrap=/b|--localfs-dir=/d",
        "singleton|-F|/f|--fscache-tag|t|--fscache-threads|8",
        "virtiofs|--sock|/s|--hybrid-mode|-B|/b|-D|/d",
        "-M|/m|--fs-driver|fanotify",
        "-M|/m|--prefetch-files|/p",
        "-M|/m|-B|/b|-s|/s",
        "-M|/m|-D|/d|-C|/c",
        "-M|/m|--fuse-threads|0",
        "-M|/m|--fuse-threads|abc",
        "-M|/m|--log-level|loud",
        "-M|/m|--failover-policy|bogus",
        "-M|/m|--fs-driver|virtio",
        "-M|/m|--id|x",
        "-M|/m|--log-rotation-size|10M",
        "-M|/m|--log-rotation-size|18446744073709551616",
        "-M|/m|--rlimit-nofile|99999999999999999999",
        "singleton|--fscache-tag|t",
        "fuse",
        "virtiofs|-B|/b",
    })
    void plainLinesAreReadWithoutPicocliAndAsPicocliReadsThem(String line) {
        String[] argv = line.split("\\|", -1);
        assertThat(CliParser.isPlain(argv)).as("read without picocli: %s", line).isTrue();
        assertThat(outcome(() -> CliParser.parse(argv))).isEqualTo(outcome(() -> CliParser.parseWithPicocli(argv)));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "--help", "fuse|-h", "singleton|--help", "-h|-M|/m", "--version|-M|/m",
        "-M|/a|-M|/b", "-M", "-M|/m|stray", "-M|/m|--upgrade=true", "--mountpoint|fuse", "-M|/m|--log-rotation-size|",
        "-M|/m|--rlimit-nofile|-1", "--bootstrap|/b|fuse|-M|/m", "-M|/m|--writable|--writable", "fuse|fuse|-M|/m",
        "fuse|-M|/m|--fscache|/f", "singleton|--mountpoint|/m", "singleton|--fs-driver|fanotify", "uffd|--sock|/s",
        "-M|/m|--no-such-option", "-M|/m|--", "-M/m", "-M|/m|-B=/b", "--mountpoint=|-B|/b", "--mountpoint=-x",
        "-M|-x", "-M|/m|--log-level=", "",
    })
    void otherLinesGoThroughPicocli(String line) {
        String[] argv = line.isEmpty() ? new String[0] : line.split("\\|", -1);
        assertThat(CliParser.isPlain(argv)).as("read without picocli: %s", line).isEqualTo(line.isEmpty());
        assertThat(outcome(() -> CliParser.parse(argv))).isEqualTo(outcome(() -> CliParser.parseWithPicocli(argv)));
    }

    private interface Parse {
        CliParser.Outcome parse() throws Exception;
    }

    /** The outcome, or the error's class and message. */
    private static Object outcome(Parse p) {
        try {
            return p.parse();
        } catch (Exception e) {
            return List.of(e.getClass().getName(), String.valueOf(e.getMessage()));
        }
    }
}
