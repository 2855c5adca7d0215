package dev.jnydus.daemon.cli;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/**
 * nydusd's command line, option for option as upstream's clap definition in
 * {@code src/bin/nydusd/main.rs}: the same names, short forms, aliases, defaults, value checks,
 * conflicts and requirements, with clap's wording for the errors.
 *
 * <p>Two deliberate differences, both more permissive: global options are accepted before the
 * subcommand too (clap's {@code args_conflicts_with_subcommands} makes any option before a
 * subcommand turn the subcommand name into an unexpected argument), and {@code --dedup-db} is
 * honoured after {@code fuse} as well (upstream only reads it at top level).
 */
public final class CliParser {
    /** What the command line asks for. */
    public sealed interface Outcome permits Run, Help, Version {
    }

    /** Start a daemon. */
    public record Run(DaemonArgs args) implements Outcome {
    }

    /** Print {@code text} (the usage of the command or subcommand) and exit 0. */
    public record Help(String text) implements Outcome {
    }

    /** Print {@link BuildInfo#versionText()} and exit 0. */
    public record Version() implements Outcome {
    }

    static final int MAX_THREADS = 1024;
    private static final BigInteger U64_MAX = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);

    // Global options.
    static final String APISOCK = "--apisock";
    static final String CONFIG = "--config";
    static final String ID = "--id";
    static final String SUPERVISOR = "--supervisor";
    static final String LOG_LEVEL = "--log-level";
    static final String LOG_FILE = "--log-file";
    static final String LOG_ROTATION_SIZE = "--log-rotation-size";
    static final String RLIMIT_NOFILE = "--rlimit-nofile";
    static final String UPGRADE = "--upgrade";
    // FUSE options.
    static final String MOUNTPOINT = "--mountpoint";
    static final String FAILOVER_POLICY = "--failover-policy";
    static final String FUSE_THREADS = "--fuse-threads";
    static final String WRITABLE = "--writable";
    static final String FS_DRIVER = "--fs-driver";
    // Filesystem options.
    static final String BOOTSTRAP = "--bootstrap";
    static final String LOCALFS_DIR = "--localfs-dir";
    static final String SHARED_DIR = "--shared-dir";
    static final String PREFETCH_FILES = "--prefetch-files";
    static final String VIRTUAL_MOUNTPOINT = "--virtual-mountpoint";
    static final String DEDUP_DB = "--dedup-db";
    // singleton options.
    static final String FSCACHE = "--fscache";
    static final String FSCACHE_TAG = "--fscache-tag";
    static final String FSCACHE_THREADS = "--fscache-threads";
    // virtiofs options.
    static final String SOCK = "--sock";
    static final String HYBRID_MODE = "--hybrid-mode";

    static final String FUSE_CMD = "fuse";
    static final String SINGLETON_CMD = "singleton";
    static final String VIRTIOFS_CMD = "virtiofs";

    private CliParser() {
    }

    /**
     * Parses {@code argv}; usage errors are {@link UsageException}, bad numbers {@link StartupException}.
     *
     * <p>A command line written the plain way (known options, each once, values that do not start
     * with a dash; what the snapshotter and the docs write) is read by {@link Scan}, without
     * picocli: picocli's classes are Java 5 class files, which the class-data-sharing archive and
     * the AOT cache cannot hold and which the JVM verifies the slow way, so building its model costs
     * a daemon start 60 to 100 ms. Everything else (help, errors, unusual spellings) goes through
     * the picocli model, whose answers {@code CliParserTest} checks the scan gives too.
     */
    public static Outcome parse(String... argv) throws UsageException, StartupException {
        if (isVersionOnly(argv)) {
            return new Version();
        }
        Matches scanned = Scan.of(argv);
        return scanned != null ? run(scanned) : parseWithPicocli(argv);
    }

    /** {@code nydusd --version} (or {@code -V}) and nothing else. */
    public static boolean isVersionOnly(String... argv) {
        return argv.length == 1 && (argv[0].equals("--version") || argv[0].equals("-V"));
    }

    /** Whether {@link #parse} reads {@code argv} without picocli. */
    static boolean isPlain(String... argv) {
        return Scan.of(argv) != null;
    }

    /** {@link #parse} through the picocli model alone. */
    static Outcome parseWithPicocli(String... argv) throws UsageException, StartupException {
        return WithPicocli.parse(argv);
    }

    private static Outcome run(Matches m) throws UsageException, StartupException {
        GlobalOptions global = globals(m);
        String name = m.subcommand();
        Service service;
        switch (name) {
            case "":
            case FUSE_CMD:
                service = fuse(m, global);
                break;
            case SINGLETON_CMD:
                service = singleton(m);
                break;
            case VIRTIOFS_CMD:
                service = virtiofs(m, global);
                break;
            default:
                throw new IllegalStateException("unknown subcommand " + name);
        }
        requirePair(m, ID, SUPERVISOR);
        requirePair(m, SUPERVISOR, ID);
        return new Run(new DaemonArgs(global, service, name));
    }

    private static GlobalOptions globals(Matches m) throws UsageException, StartupException {
        LogLevel logLevel = cliValue(LogLevel.values(), LogLevel::cliName,
                m.global(LOG_LEVEL).orElse(LogLevel.INFO.cliName()), LOG_LEVEL);
        String rotation = m.global(LOG_ROTATION_SIZE).orElse("0");
        long rotationSize;
        try {
            rotationSize = parseU64(rotation);
        } catch (NumberFormatException e) {
            throw new StartupException("Invalid log rotation size: " + e.getMessage());
        }
        long rlimit;
        try {
            rlimit = parseU64(m.global(RLIMIT_NOFILE).orElse(Long.toString(GlobalOptions.DEFAULT_RLIMIT_NOFILE)));
        } catch (NumberFormatException e) {
            throw new StartupException("invalid value for option `rlimit-nofile`");
        }
        return new GlobalOptions(m.global(APISOCK), m.global(CONFIG), m.global(ID), m.global(SUPERVISOR),
                logLevel, m.global(LOG_FILE), rotationSize, rlimit, m.globalFlag(UPGRADE));
    }

    private static Service.Fuse fuse(Matches m, GlobalOptions global) throws UsageException {
        FailoverPolicy policy = cliValue(FailoverPolicy.values(), FailoverPolicy::cliName,
                m.local(FAILOVER_POLICY).orElse(FailoverPolicy.RESEND.cliName()), FAILOVER_POLICY);
        int threads = threads(m.local(FUSE_THREADS), FUSE_THREADS, FuseOptions.DEFAULT_THREADS);
        FsDriver driver = cliValue(FsDriver.values(), FsDriver::cliName,
                m.local(FS_DRIVER).orElse(FsDriver.FUSEDEV.cliName()), FS_DRIVER);
        FsOptions fs = fsOptions(m, global);
        Optional<String> mountpoint = m.local(MOUNTPOINT);
        if (mountpoint.isEmpty()) {
            throw missing(MOUNTPOINT);
        }
        return new Service.Fuse(new FuseOptions(mountpoint.get(), policy, threads, m.localFlag(WRITABLE), driver), fs);
    }

    private static FsOptions fsOptions(Matches m, GlobalOptions global) throws UsageException {
        conflict(m.local(BOOTSTRAP), BOOTSTRAP, m.local(SHARED_DIR), SHARED_DIR);
        conflict(m.local(LOCALFS_DIR), LOCALFS_DIR, global.config(), CONFIG);
        if (m.local(PREFETCH_FILES).isPresent() && m.local(BOOTSTRAP).isEmpty()) {
            throw missing(BOOTSTRAP);
        }
        return new FsOptions(m.local(BOOTSTRAP), m.local(LOCALFS_DIR), m.local(SHARED_DIR),
                m.local(PREFETCH_FILES), m.local(VIRTUAL_MOUNTPOINT).orElse(FsOptions.DEFAULT_VIRTUAL_MOUNTPOINT),
                m.local(DEDUP_DB));
    }

    private static Service.Singleton singleton(Matches m) throws UsageException {
        int threads = threads(m.local(FSCACHE_THREADS), FSCACHE_THREADS, SingletonOptions.DEFAULT_THREADS);
        if (m.local(FSCACHE_TAG).isPresent() && m.local(FSCACHE).isEmpty()) {
            throw missing(FSCACHE);
        }
        return new Service.Singleton(new SingletonOptions(m.local(FSCACHE), m.local(FSCACHE_TAG), threads));
    }

    private static Service.Virtiofs virtiofs(Matches m, GlobalOptions global) throws UsageException {
        FsOptions fs = fsOptions(m, global);
        Optional<String> sock = m.local(SOCK);
        if (sock.isEmpty()) {
            throw missing(SOCK);
        }
        return new Service.Virtiofs(sock.get(), m.localFlag(HYBRID_MODE), fs);
    }

    /** The constant spelled {@code value} on the command line, or clap's error listing the possible values. */
    private static <E> E cliValue(E[] values, Function<E, String> cliName, String value, String option)
            throws UsageException {
        for (E e : values) {
            if (cliName.apply(e).equals(value)) {
                return e;
            }
        }
        throw invalidValue(value, option, "[possible values: "
                + Arrays.stream(values).map(cliName).collect(Collectors.joining(", ")) + "]");
    }

    /** upstream's validate_threads_configuration. */
    static int threads(Optional<String> value, String option, int dflt) throws UsageException {
        if (value.isEmpty()) {
            return dflt;
        }
        String v = value.get();
        long n;
        try {
            n = parseU64(v);
        } catch (NumberFormatException e) {
            throw invalidValue(v, option, "invalid thread number configuration: " + v);
        }
        if (n < 1 || n > MAX_THREADS) {
            throw invalidValue(v, option, "invalid thread number " + n + ", valid range: [1-1024]");
        }
        return (int) n;
    }

    /** Rust's {@code u64::from_str}, with its error texts; values above Long.MAX_VALUE saturate. */
    static long parseU64(String s) {
        String digits = s.startsWith("+") ? s.substring(1) : s;
        if (digits.isEmpty()) {
            throw new NumberFormatException(s.isEmpty() ? "cannot parse integer from empty string"
                    : "invalid digit found in string");
        }
        for (int i = 0; i < digits.length(); i++) {
            char c = digits.charAt(i);
            if (c < '0' || c > '9') {
                throw new NumberFormatException("invalid digit found in string");
            }
        }
        BigInteger b = new BigInteger(digits);
        if (b.compareTo(U64_MAX) > 0) {
            throw new NumberFormatException("number too large to fit in target type");
        }
        return b.bitLength() > 63 ? Long.MAX_VALUE : b.longValue();
    }

    private static void conflict(Optional<String> a, String aName, Optional<String> b, String bName)
            throws UsageException {
        if (a.isPresent() && b.isPresent()) {
            throw new UsageException("the argument '" + display(aName) + "' cannot be used with '"
                    + display(bName) + "'");
        }
    }

    private static void requirePair(Matches m, String present, String required) throws UsageException {
        if (m.global(present).isPresent() && m.global(required).isEmpty()) {
            throw missing(required);
        }
    }

    private static UsageException missing(String option) {
        return new UsageException("the following required arguments were not provided: " + display(option));
    }

    private static UsageException invalidValue(String value, String option, String why) {
        String sep = why.startsWith("[") ? " " : ": ";
        return new UsageException("invalid value '" + value + "' for '" + display(option) + "'" + sep + why);
    }

    /** clap's rendering of an option that takes a value: {@code --name <name>}. */
    static String display(String option) {
        if (option.equals(UPGRADE) || option.equals(WRITABLE) || option.equals(HYBRID_MODE)) {
            return option;
        }
        return option + " <" + option.substring(2) + ">";
    }

    private static boolean isGlobal(String option) {
        switch (option) {
            case APISOCK:
            case CONFIG:
            case ID:
            case SUPERVISOR:
            case LOG_LEVEL:
            case LOG_FILE:
            case LOG_ROTATION_SIZE:
            case RLIMIT_NOFILE:
            case UPGRADE:
            case "--help":
            case "--version":
                return true;
            default:
                return false;
        }
    }

    /** The options given: values of the subcommand's level, globals falling back to the top level. */
    private interface Matches {
        /** The subcommand's name, "" for none. */
        String subcommand();

        Optional<String> global(String name);

        boolean globalFlag(String name);

        /** The value of an option of the subcommand's own level (empty if that level has no such option). */
        Optional<String> local(String name);

        boolean localFlag(String name);
    }

    /**
     * {@link Matches} read straight off a plain command line: {@code [GLOBAL...] [SUBCOMMAND]
     * [OPTION...]} where every option is one of its level's ({@link #options}), given once, as
     * {@code --name value}, {@code -N value}, {@code --name=value} or a bare flag, and no value
     * is empty, starts with a dash or names a subcommand. On anything else {@link #of} answers
     * null, and picocli reads the line (and words the error).
     */
    private static final class Scan implements Matches {
        private final String subcommand;
        private final Map<String, String> root;
        private final Map<String, String> level;

        private Scan(String subcommand, Map<String, String> root, Map<String, String> level) {
            this.subcommand = subcommand;
            this.root = root;
            this.level = level;
        }

        static Scan of(String[] argv) {
            Map<String, String> root = new HashMap<>();
            Map<String, String> level = root;
            String sub = "";
            List<Opt> known = options("");
            for (int i = 0; i < argv.length; i++) {
                String arg = argv[i];
                if (sub.isEmpty() && isSubcommand(arg)) {
                    sub = arg;
                    level = new HashMap<>();
                    known = options(sub);
                    continue;
                }
                String name = arg;
                String value = null;
                int eq = arg.indexOf('=');
                if (arg.startsWith("--") && eq > 2) {
                    name = arg.substring(0, eq);
                    value = arg.substring(eq + 1);
                }
                Opt opt = find(known, name);
                if (opt == null) {
                    return null;
                }
                if (opt.flag()) {
                    if (value != null) {
                        return null;
                    }
                    value = "";
                } else {
                    if (value == null) {
                        if (i + 1 == argv.length) {
                            return null;
                        }
                        value = argv[++i];
                    }
                    if (value.isEmpty() || value.startsWith("-") || isSubcommand(value)) {
                        return null;
                    }
                }
                if (level.putIfAbsent(opt.name(), value) != null) {
                    return null;
                }
            }
            if (!sub.isEmpty()) {
                for (String name : root.keySet()) {
                    if (!isGlobal(name)) {
                        return null;
                    }
                }
            }
            return new Scan(sub, root, level);
        }

        private static Opt find(List<Opt> known, String name) {
            for (Opt o : known) {
                if (o.names().contains(name)) {
                    return o;
                }
            }
            return null;
        }

        private static boolean isSubcommand(String arg) {
            return arg.equals(FUSE_CMD) || arg.equals(SINGLETON_CMD) || arg.equals(VIRTIOFS_CMD);
        }

        @Override
        public String subcommand() {
            return subcommand;
        }

        @Override
        public Optional<String> global(String name) {
            String v = level.get(name);
            return Optional.ofNullable(v != null ? v : root.get(name));
        }

        @Override
        public boolean globalFlag(String name) {
            return level.containsKey(name) || root.containsKey(name);
        }

        @Override
        public Optional<String> local(String name) {
            return Optional.ofNullable(level.get(name));
        }

        @Override
        public boolean localFlag(String name) {
            return level.containsKey(name);
        }
    }

    /**
     * One option of the command line: its names (the first is the one {@link Matches} are asked
     * for), whether it is a flag, and its help text.
     */
    private record Opt(String description, boolean flag, List<String> names) {
        String name() {
            return names.get(0);
        }
    }

    private static Opt option(String description, String... names) {
        return new Opt(description, false, List.of(names));
    }

    private static Opt flag(String description, String name) {
        return new Opt(description, true, List.of(name));
    }

    private static final List<Opt> GLOBAL_OPTIONS = List.of(
            option("Path to the Nydus daemon administration API socket", APISOCK, "-A"),
            option("Path to the Nydus daemon configuration file", CONFIG, "-C"),
            option("Service instance identifier", ID),
            option("Log level: trace, debug, info, warn, error [default: info]", LOG_LEVEL, "-l"),
            option("Log messages to the file. Default extension \".log\" will be used if no "
                    + "extension specified.", LOG_FILE, "-L"),
            option("Specify log rotation size(MB), 0 to disable [default: 0]", LOG_ROTATION_SIZE),
            option("Set rlimit for maximum file descriptor number (0 leaves it unchanged) "
                    + "[default: 1000000]", RLIMIT_NOFILE),
            option("Path to the Nydus daemon supervisor API socket", SUPERVISOR),
            flag("Start Nydus daemon in upgrade mode", UPGRADE));

    private static final List<Opt> FUSE_OPTIONS = List.of(
            option("Mountpoint for the FUSE filesystem, target for `mount.fuse`", MOUNTPOINT, "-M"),
            option("FUSE server failover policy: none, resend, flush [default: resend]", FAILOVER_POLICY),
            option("Number of worker threads to serve FUSE I/O requests [default: 4]", FUSE_THREADS, "--thread-num"),
            flag("Mounts FUSE filesystem in rw mode", WRITABLE),
            option("How the image is mounted: fusedev (FUSE), fanotify (the kernel's EROFS over the "
                    + "blob cache, filled on fanotify pre-content events; Linux 6.14+) [default: fusedev]", FS_DRIVER));

    private static final List<Opt> FS_OPTIONS = List.of(
            option("Path to the RAFS filesystem metadata file", BOOTSTRAP, "-B"),
            option("Path to the `localfs` working directory, which also enables the `localfs` "
                    + "storage backend", LOCALFS_DIR, "-D"),
            option("Path to the directory to be shared via the `passthroughfs` FUSE driver", SHARED_DIR, "-s"),
            option("Path to the prefetch configuration file containing a list of "
                    + "directories/files separated by newlines", PREFETCH_FILES),
            option("Mountpoint within the FUSE/virtiofs device to mount the RAFS/passthroughfs "
                    + "filesystem [default: /]", VIRTUAL_MOUNTPOINT, "-m"),
            option("Database file for chunk deduplication", DEDUP_DB));

    private static final List<Opt> VIRTIOFS_OPTIONS = List.of(
            flag("Enables both `RAFS` and `passthroughfs` filesystem drivers", HYBRID_MODE),
            option("Path to the vhost-user API socket", SOCK));

    private static final List<Opt> SINGLETON_OPTIONS = List.of(
            option("Working directory for Linux fscache driver to store cache files", FSCACHE, "-F"),
            option("Tag to identify the fscache daemon instance", FSCACHE_TAG),
            option("Number of working threads to serve fscache requests [default: 4]", FSCACHE_THREADS));

    /** The options of a level ("" for the top one), help and version aside, in the order help lists them. */
    private static List<Opt> options(String subcommand) {
        List<Opt> all = new ArrayList<>(GLOBAL_OPTIONS);
        switch (subcommand) {
            case "":
            case FUSE_CMD:
                all.addAll(FUSE_OPTIONS);
                all.addAll(FS_OPTIONS);
                break;
            case VIRTIOFS_CMD:
                all.addAll(VIRTIOFS_OPTIONS);
                all.addAll(FS_OPTIONS);
                break;
            case SINGLETON_CMD:
                all.addAll(SINGLETON_OPTIONS);
                break;
            default:
                throw new IllegalArgumentException("unknown subcommand " + subcommand);
        }
        return all;
    }

    /** The picocli model of the command line (for {@link #parseWithPicocli}, help and tests). */
    static CommandLine commandLine() {
        return WithPicocli.commandLine();
    }

    /**
     * Everything that touches picocli, in a class of its own: the JVM links {@code CliParser} at
     * every start, and a picocli type in its methods (an exception caught, say) makes the linking
     * load that type; picocli's classes are not in the class-data-sharing archive, so that load
     * opens the jars of the class path one by one until picocli's. A plain command line never
     * loads this class.
     */
    private static final class WithPicocli {
        private WithPicocli() {
        }

        static Outcome parse(String... argv) throws UsageException, StartupException {
            CommandLine cl = commandLine();
            ParseResult root;
            try {
                root = cl.parseArgs(argv);
            } catch (ParameterException e) {
                throw new UsageException(e.getMessage());
            }
            ParseResult sub = root.subcommand();
            if (root.isVersionHelpRequested()) {
                return new Version();
            }
            if (root.isUsageHelpRequested()) {
                return new Help(cl.getUsageMessage());
            }
            if (sub != null && sub.isUsageHelpRequested()) {
                return new Help(cl.getSubcommands().get(sub.commandSpec().name()).getUsageMessage());
            }
            if (sub != null) {
                for (OptionSpec o : root.matchedOptions()) {
                    if (!isGlobal(o.longestName())) {
                        throw new UsageException("the subcommand '" + sub.commandSpec().name()
                                + "' cannot be used with '" + display(o.longestName()) + "'");
                    }
                }
            }
            return run(new PicocliMatches(root, sub));
        }

        /** {@link Matches} from picocli's parse results. */
        private static final class PicocliMatches implements Matches {
            private final ParseResult root;
            private final ParseResult level;
            private final String subcommand;

            PicocliMatches(ParseResult root, ParseResult sub) {
                this.root = root;
                this.level = sub == null ? root : sub;
                this.subcommand = sub == null ? "" : sub.commandSpec().name();
            }

            @Override
            public String subcommand() {
                return subcommand;
            }

            @Override
            public Optional<String> global(String name) {
                if (level.hasMatchedOption(name)) {
                    return Optional.of(level.matchedOptionValue(name, ""));
                }
                if (root.hasMatchedOption(name)) {
                    return Optional.of(root.matchedOptionValue(name, ""));
                }
                return Optional.empty();
            }

            @Override
            public boolean globalFlag(String name) {
                return level.hasMatchedOption(name) || root.hasMatchedOption(name);
            }

            @Override
            public Optional<String> local(String name) {
                if (level.commandSpec().findOption(name) == null || !level.hasMatchedOption(name)) {
                    return Optional.empty();
                }
                return Optional.of(level.matchedOptionValue(name, ""));
            }

            @Override
            public boolean localFlag(String name) {
                return level.commandSpec().findOption(name) != null && level.hasMatchedOption(name);
            }
        }

        static CommandLine commandLine() {
            CommandSpec root = CommandSpec.create().name("nydusd");
            root.usageMessage().description("Nydus daemon to provide BlobCache, FsCache, FUSE, Virtio-fs "
                    + "and container image services");
            help(root);
            root.addOption(OptionSpec.builder("-V", "--version").versionHelp(true)
                    .description("Print version").build());
            addOptions(root, "");

            CommandSpec fuse = CommandSpec.create().name(FUSE_CMD);
            fuse.usageMessage().description("Run the Nydus daemon as a dedicated FUSE server");
            help(fuse);
            addOptions(fuse, FUSE_CMD);
            root.addSubcommand(FUSE_CMD, fuse);

            CommandSpec virtiofs = CommandSpec.create().name(VIRTIOFS_CMD);
            virtiofs.usageMessage().description("Run the Nydus daemon as a dedicated virtio-fs server "
                    + "(not supported by this implementation)");
            help(virtiofs);
            addOptions(virtiofs, VIRTIOFS_CMD);
            root.addSubcommand(VIRTIOFS_CMD, virtiofs);

            CommandSpec singleton = CommandSpec.create().name(SINGLETON_CMD);
            singleton.usageMessage().description(
                    "Run the Nydus daemon to host multiple blobcache/fscache/fuse/virtio-fs services");
            help(singleton);
            addOptions(singleton, SINGLETON_CMD);
            root.addSubcommand(SINGLETON_CMD, singleton);

            CommandLine cl = new CommandLine(root);
            // "@file" would silently read arguments from a file; nydusd has no such syntax.
            cl.setExpandAtFiles(false);
            cl.setCaseInsensitiveEnumValuesAllowed(false);
            cl.setAbbreviatedOptionsAllowed(false);
            cl.setAbbreviatedSubcommandsAllowed(false);
            cl.setOverwrittenOptionsAllowed(false);
            cl.setUnmatchedArgumentsAllowed(false);
            return cl;
        }

        private static void help(CommandSpec spec) {
            spec.addOption(OptionSpec.builder("-h", "--help").usageHelp(true).description("Print help").build());
        }

        private static void addOptions(CommandSpec spec, String subcommand) {
            for (Opt o : options(subcommand)) {
                String[] names = o.names().toArray(new String[0]);
                OptionSpec.Builder b = OptionSpec.builder(names).description(o.description());
                if (o.flag()) {
                    b.type(boolean.class).arity("0");
                } else {
                    b.paramLabel("<" + o.name().substring(2) + ">").type(String.class).arity("1");
                }
                spec.addOption(b.build());
            }
        }
    }
}
