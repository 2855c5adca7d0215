package dev.jnydus.daemon.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Every option, default, alias, conflict and requirement of spec 1.1–1.4 and 1.6. */
class CliParserTest {
    private static DaemonArgs run(String... argv) throws Exception {
        CliParser.Outcome o = CliParser.parse(argv);
        assertThat(o).isInstanceOf(CliParser.Run.class);
        return ((CliParser.Run) o).args();
    }

    private static Service.Fuse fuse(String... argv) throws Exception {
        DaemonArgs a = run(argv);
        assertThat(a.service()).isInstanceOf(Service.Fuse.class);
        return (Service.Fuse) a.service();
    }

    private static void usageError(String expected, String... argv) {
        assertThatThrownBy(() -> CliParser.parse(argv))
                .isInstanceOf(UsageException.class)
                .hasMessage(expected);
    }

    @Test
    void topLevelIsTheFuseServerWithUpstreamDefaults() throws Exception {
        DaemonArgs a = run("--mountpoint", "/mnt");

        assertThat(a.subcommand()).isEmpty();
        assertThat(a.global()).isEqualTo(new GlobalOptions(Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), LogLevel.INFO, Optional.empty(), 0, 1_000_000, false));
        Service.Fuse f = (Service.Fuse) a.service();
        assertThat(f.fuse()).isEqualTo(new FuseOptions("/mnt", FailoverPolicy.RESEND, 4, false));
        assertThat(f.fs()).isEqualTo(new FsOptions(Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), "/", Optional.empty()));
    }

    @Test
    void everyTopLevelOptionInShortForm() throws Exception {
        DaemonArgs a = run("-A", "/run/api.sock", "-C", "/etc/cfg.json", "--id", "d1", "--supervisor", "/run/sup.sock",
                "-l", "debug", "-L", "/var/log/nydusd", "--log-rotation-size", "16", "--rlimit-nofile", "0",
                "--upgrade", "-M", "/mnt", "--failover-policy", "flush", "--fuse-threads", "16", "--writable",
                "-B", "/img/boot", "--prefetch-files", "/img/list", "-m", "/sub", "--dedup-db", "/var/dedup.db");

        assertThat(a.global()).isEqualTo(new GlobalOptions(Optional.of("/run/api.sock"), Optional.of("/etc/cfg.json"),
                Optional.of("d1"), Optional.of("/run/sup.sock"), LogLevel.DEBUG, Optional.of("/var/log/nydusd"),
                16, 0, true));
        Service.Fuse f = (Service.Fuse) a.service();
        assertThat(f.fuse()).isEqualTo(new FuseOptions("/mnt", FailoverPolicy.FLUSH, 16, true));
        assertThat(f.fs()).isEqualTo(new FsOptions(Optional.of("/img/boot"), Optional.empty(), Optional.empty(),
                Optional.of("/img/list"), "/sub", Optional.of("/var/dedup.db")));
    }

    @Test
    void longFormsAttachedValuesAndClusteredShortOptions() throws Exception {
        DaemonArgs a = run("--apisock=/a.sock", "-C/c.json", "--mountpoint=/mnt",
                "--log-level=trace", "--log-file", "x.log");

        assertThat(a.global().apiSock()).contains("/a.sock");
        assertThat(a.global().config()).contains("/c.json");
        assertThat(a.global().logLevel()).isEqualTo(LogLevel.TRACE);
        assertThat(a.global().logFile()).contains("x.log");
        assertThat(((Service.Fuse) a.service()).fuse().mountpoint()).isEqualTo("/mnt");
    }

    @Test
    void fuseSubcommandTakesTheSameOptionsAndTheThreadNumAlias() throws Exception {
        DaemonArgs a = run("fuse", "--thread-num", "8", "-M", "/mnt", "--bootstrap", "/boot", "--localfs-dir", "/blobs",
                "--apisock", "/api.sock", "--id", "x", "--supervisor", "/sup", "--failover-policy", "none",
                "--virtual-mountpoint", "/v", "--dedup-db", "/db");

        assertThat(a.subcommand()).isEqualTo("fuse");
        assertThat(a.global().apiSock()).contains("/api.sock");
        Service.Fuse f = (Service.Fuse) a.service();
        assertThat(f.fuse()).isEqualTo(new FuseOptions("/mnt", FailoverPolicy.NONE, 8, false));
        assertThat(f.fs().localfsDir()).contains("/blobs");
        assertThat(f.fs().virtualMountpoint()).isEqualTo("/v");
        assertThat(f.fs().dedupDb()).contains("/db");
    }

    @Test
    void globalOptionsMayAlsoPrecedeTheSubcommand() throws Exception {
        DaemonArgs a = run("--apisock", "/api.sock", "-l", "warn", "--upgrade", "fuse", "-M", "/mnt");

        assertThat(a.global().apiSock()).contains("/api.sock");
        assertThat(a.global().logLevel()).isEqualTo(LogLevel.WARN);
        assertThat(a.global().upgrade()).isTrue();
        // After the subcommand wins when given on both sides.
        assertThat(run("-l", "warn", "fuse", "-M", "/m", "-l", "error").global().logLevel()).isEqualTo(LogLevel.ERROR);
    }

    @Test
    void snapshotterStyleFuseCommandLine() throws Exception {
        DaemonArgs a = run("fuse", "--thread-num", "4", "--config", "/var/lib/nydus/config.json",
                "--bootstrap", "/var/lib/nydus/image.boot", "--mountpoint", "/var/lib/nydus/mnt",
                "--apisock", "/var/lib/nydus/api.sock", "--log-level", "info", "--log-rotation-size", "100",
                "--log-file", "/var/lib/nydus/nydusd.log", "--id", "d", "--supervisor", "/var/lib/nydus/sup.sock");

        assertThat(a.global().logRotationSizeMib()).isEqualTo(100);
        assertThat(((Service.Fuse) a.service()).fs().bootstrap()).contains("/var/lib/nydus/image.boot");
    }

    @Test
    void singletonWithFscache() throws Exception {
        DaemonArgs a = run("singleton", "--fscache", "/var/cache/fscache", "--fscache-tag", "tag1",
                "--fscache-threads", "32", "--apisock", "/api.sock", "--log-level", "info");

        assertThat(a.subcommand()).isEqualTo("singleton");
        assertThat(a.service()).isEqualTo(new Service.Singleton(
                new SingletonOptions(Optional.of("/var/cache/fscache"), Optional.of("tag1"), 32)));
        assertThat(run("singleton", "-F", "/c").service()).isEqualTo(new Service.Singleton(
                new SingletonOptions(Optional.of("/c"), Optional.empty(), 4)));
        assertThat(run("singleton").service()).isEqualTo(new Service.Singleton(
                new SingletonOptions(Optional.empty(), Optional.empty(), 4)));
    }

    @Test
    void virtiofsIsParsedWithItsRequiredSocket() throws Exception {
        DaemonArgs a = run("virtiofs", "--sock", "/vhost.sock", "--hybrid-mode", "-B", "/boot", "-D", "/blobs");

        assertThat(a.service()).isEqualTo(new Service.Virtiofs("/vhost.sock", true, new FsOptions(Optional.of("/boot"),
                Optional.of("/blobs"), Optional.empty(), Optional.empty(), "/", Optional.empty())));
        usageError("the following required arguments were not provided: --sock <sock>", "virtiofs");
    }

    @Test
    void mountpointIsRequiredForFuse() {
        usageError("the following required arguments were not provided: --mountpoint <mountpoint>");
        usageError("the following required arguments were not provided: --mountpoint <mountpoint>", "fuse");
        usageError("the following required arguments were not provided: --mountpoint <mountpoint>",
                "--apisock", "/a");
    }

    @ParameterizedTest
    @CsvSource({
        "0, 'invalid thread number 0, valid range: [1-1024]'",
        "1025, 'invalid thread number 1025, valid range: [1-1024]'",
        "abc, 'invalid thread number configuration: abc'",
        "-1, 'invalid thread number configuration: -1'",
        "99999999999999999999999, 'invalid thread number configuration: 99999999999999999999999'",
    })
    void threadCountsAreValidatedLikeUpstream(String value, String why) {
        usageError("invalid value '" + value + "' for '--fuse-threads <fuse-threads>': " + why,
                "-M", "/mnt", "--fuse-threads", value);
        usageError("invalid value '" + value + "' for '--fuse-threads <fuse-threads>': " + why,
                "fuse", "-M", "/mnt", "--thread-num", value);
        usageError("invalid value '" + value + "' for '--fscache-threads <fscache-threads>': " + why,
                "singleton", "--fscache-threads", value);
    }

    @ParameterizedTest
    @ValueSource(strings = {"1", "1024", "+8", "0004"})
    void threadCountsAtTheBoundsAndInRustSyntaxAreAccepted(String value) throws Exception {
        int n = Integer.parseInt(value.replace("+", ""));
        assertThat(fuse("-M", "/m", "--fuse-threads", value).fuse().fuseThreads()).isEqualTo(n);
    }

    @Test
    void enumeratedValuesAreChecked() {
        usageError("invalid value 'verbose' for '--log-level <log-level>' [possible values: trace, debug, info, warn, error]",
                "-M", "/m", "--log-level", "verbose");
        usageError("invalid value 'INFO' for '--log-level <log-level>' [possible values: trace, debug, info, warn, error]",
                "-M", "/m", "-l", "INFO");
        usageError("invalid value 'retry' for '--failover-policy <failover-policy>' [possible values: none, resend, flush]",
                "-M", "/m", "--failover-policy", "retry");
    }

    @Test
    void theFsDriverIsFusedevUnlessFanotifyIsAskedFor() throws Exception {
        assertThat(fuse("-M", "/m").fuse().fsDriver()).isEqualTo(FsDriver.FUSEDEV);
        assertThat(fuse("-M", "/m", "--fs-driver", "fusedev").fuse().fsDriver()).isEqualTo(FsDriver.FUSEDEV);
        assertThat(fuse("-M", "/m", "--fs-driver", "fanotify").fuse()).isEqualTo(new FuseOptions("/m",
                FailoverPolicy.RESEND, 4, false, FsDriver.FANOTIFY));
        assertThat(fuse("fuse", "-M", "/m", "--fs-driver", "fanotify").fuse().fsDriver()).isEqualTo(FsDriver.FANOTIFY);
        usageError("invalid value 'fscache' for '--fs-driver <fs-driver>' [possible values: fusedev, fanotify]",
                "-M", "/m", "--fs-driver", "fscache");
        assertThatThrownBy(() -> CliParser.parse("singleton", "--fs-driver", "fanotify"))
                .isInstanceOf(UsageException.class);
    }

    @Test
    void idAndSupervisorRequireEachOther() {
        usageError("the following required arguments were not provided: --supervisor <supervisor>",
                "-M", "/m", "--id", "x");
        usageError("the following required arguments were not provided: --id <id>",
                "fuse", "-M", "/m", "--supervisor", "/s");
        usageError("the following required arguments were not provided: --supervisor <supervisor>",
                "singleton", "--id", "x");
    }

    @Test
    void conflictsAndRequirementsOfFilesystemOptions() {
        usageError("the argument '--localfs-dir <localfs-dir>' cannot be used with '--config <config>'",
                "-M", "/m", "-B", "/b", "-D", "/d", "-C", "/c");
        // --config is global: given before the subcommand it still conflicts.
        usageError("the argument '--localfs-dir <localfs-dir>' cannot be used with '--config <config>'",
                "-C", "/c", "fuse", "-M", "/m", "-D", "/d");
        usageError("the argument '--bootstrap <bootstrap>' cannot be used with '--shared-dir <shared-dir>'",
                "-M", "/m", "-B", "/b", "-s", "/shared");
        usageError("the following required arguments were not provided: --bootstrap <bootstrap>",
                "-M", "/m", "--prefetch-files", "/list");
        usageError("the following required arguments were not provided: --fscache <fscache>",
                "singleton", "--fscache-tag", "t");
    }

    @Test
    void topLevelFuseOptionsCannotBeCombinedWithASubcommand() {
        usageError("the subcommand 'fuse' cannot be used with '--mountpoint <mountpoint>'",
                "-M", "/m", "fuse", "-M", "/m");
        usageError("the subcommand 'singleton' cannot be used with '--bootstrap <bootstrap>'",
                "-B", "/b", "singleton");
        usageError("the subcommand 'singleton' cannot be used with '--writable'", "--writable", "singleton");
    }

    @Test
    void unknownRepeatedAndMisplacedArgumentsAreUsageErrors() {
        assertThatThrownBy(() -> CliParser.parse("-M", "/m", "--no-such-option"))
                .isInstanceOf(UsageException.class).hasMessageContaining("--no-such-option");
        assertThatThrownBy(() -> CliParser.parse("-M", "/m", "stray"))
                .isInstanceOf(UsageException.class).hasMessageContaining("stray");
        assertThatThrownBy(() -> CliParser.parse("uffd", "--sock", "/s"))
                .isInstanceOf(UsageException.class).hasMessageContaining("uffd");
        assertThatThrownBy(() -> CliParser.parse("-M", "/a", "-M", "/b"))
                .isInstanceOf(UsageException.class).hasMessageContaining("--mountpoint");
        assertThatThrownBy(() -> CliParser.parse("-M"))
                .isInstanceOf(UsageException.class).hasMessageContaining("--mountpoint");
        // singleton has no FUSE or filesystem options.
        assertThatThrownBy(() -> CliParser.parse("singleton", "--mountpoint", "/m"))
                .isInstanceOf(UsageException.class).hasMessageContaining("--mountpoint");
        assertThatThrownBy(() -> CliParser.parse("singleton", "--dedup-db", "/db"))
                .isInstanceOf(UsageException.class).hasMessageContaining("--dedup-db");
        assertThatThrownBy(() -> CliParser.parse("fuse", "-M", "/m", "--fscache", "/f"))
                .isInstanceOf(UsageException.class).hasMessageContaining("--fscache");
        assertThatThrownBy(() -> CliParser.parse("-M", "/m", "--upgrade=true"))
                .isInstanceOf(UsageException.class).hasMessageContaining("--upgrade");
    }

    @Test
    void atFilesAreNotExpanded() throws Exception {
        assertThat(fuse("-M", "@mnt").fuse().mountpoint()).isEqualTo("@mnt");
    }

    @Test
    void valuesMayLookLikeNumbersOrStartWithADash() throws Exception {
        assertThat(fuse("-M", "/m", "--log-file", "-").fuse().mountpoint()).isEqualTo("/m");
        assertThat(run("-M", "/m", "--log-file", "-").global().logFile()).contains("-");
    }

    @Test
    void badNumbersInLogRotationAndRlimitAreStartupErrors() {
        assertThatThrownBy(() -> CliParser.parse("-M", "/m", "--log-rotation-size", "10M"))
                .isInstanceOf(StartupException.class)
                .hasMessage("Invalid log rotation size: invalid digit found in string");
        assertThatThrownBy(() -> CliParser.parse("-M", "/m", "--log-rotation-size", ""))
                .isInstanceOf(StartupException.class)
                .hasMessage("Invalid log rotation size: cannot parse integer from empty string");
        assertThatThrownBy(() -> CliParser.parse("-M", "/m", "--log-rotation-size", "18446744073709551616"))
                .isInstanceOf(StartupException.class)
                .hasMessage("Invalid log rotation size: number too large to fit in target type");
        assertThatThrownBy(() -> CliParser.parse("-M", "/m", "--rlimit-nofile", "-1"))
                .isInstanceOf(StartupException.class)
                .hasMessage("invalid value for option `rlimit-nofile`");
    }

    @Test
    void helpAndVersion() throws Exception {
        assertThat(CliParser.parse("--version")).isInstanceOf(CliParser.Version.class);
        assertThat(CliParser.parse("-V")).isInstanceOf(CliParser.Version.class);
        CliParser.Outcome top = CliParser.parse("--help");
        assertThat(((CliParser.Help) top).text()).contains("--mountpoint", "--thread-num", "fuse", "singleton");
        CliParser.Outcome sub = CliParser.parse("singleton", "-h");
        assertThat(((CliParser.Help) sub).text()).contains("--fscache-tag").doesNotContain("--mountpoint");
    }
}
