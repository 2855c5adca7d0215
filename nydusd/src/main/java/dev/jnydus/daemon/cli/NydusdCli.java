package dev.jnydus.daemon.cli;

import java.io.PrintStream;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * nydusd's {@code main} without the {@code System.exit}: parse, set up logging, resolve the
 * startup files, launch. Exit statuses are upstream's:
 * <ul>
 *   <li>0 — help, version, or the daemon ran and stopped normally;</li>
 *   <li>1 — startup failed: one {@code Error: <message>} line on stderr (also logged);</li>
 *   <li>2 — the command line is malformed: {@code error: <message>} as clap prints it.</li>
 * </ul>
 */
public final class NydusdCli {
    public static final int EXIT_OK = 0;
    public static final int EXIT_STARTUP_FAILED = 1;
    public static final int EXIT_USAGE = 2;

    private static final Logger LOG = LoggerFactory.getLogger(NydusdCli.class);

    private final PrintStream out;
    private final PrintStream err;
    private final Map<String, String> env;
    private final BuildInfo buildInfo;
    private final LogConfigurer logConfigurer;
    private final DaemonLauncher launcher;
    private final StopSignals stop;
    private final ErrorEvents errors;

    public NydusdCli(PrintStream out, PrintStream err, Map<String, String> env, BuildInfo buildInfo,
                     LogConfigurer logConfigurer, DaemonLauncher launcher) {
        this(out, err, env, buildInfo, logConfigurer, launcher, StopSignals.none(), new ErrorEvents());
    }

    /**
     * @param stop the stop requests caught since {@code main} began (see {@link StopSignals})
     * @param errors where the logging records ERROR lines (see {@link ErrorEvents})
     */
    public NydusdCli(PrintStream out, PrintStream err, Map<String, String> env, BuildInfo buildInfo,
                     LogConfigurer logConfigurer, DaemonLauncher launcher, StopSignals stop, ErrorEvents errors) {
        this.stop = Objects.requireNonNull(stop, "stop");
        this.errors = Objects.requireNonNull(errors, "errors");
        this.out = Objects.requireNonNull(out, "out");
        this.err = Objects.requireNonNull(err, "err");
        this.env = Map.copyOf(env);
        this.buildInfo = Objects.requireNonNull(buildInfo, "buildInfo");
        this.logConfigurer = Objects.requireNonNull(logConfigurer, "logConfigurer");
        this.launcher = Objects.requireNonNull(launcher, "launcher");
    }

    public int run(String... argv) {
        CliParser.Outcome outcome;
        try {
            outcome = CliParser.parse(argv);
        } catch (UsageException e) {
            err.println("error: " + e.getMessage());
            err.println();
            err.println("For more information, try '--help'.");
            err.flush();
            return EXIT_USAGE;
        } catch (StartupException e) {
            return fail(e);
        }
        StartupTrace.mark("parsed");
        if (outcome instanceof CliParser.Version) {
            out.print(buildInfo.versionText());
            out.flush();
            StartupTrace.mark("version");
            StartupTrace.write();
            return EXIT_OK;
        }
        if (outcome instanceof CliParser.Help) {
            out.print(((CliParser.Help) outcome).text());
            out.flush();
            return EXIT_OK;
        }
        DaemonArgs args = ((CliParser.Run) outcome).args();
        try {
            GlobalOptions g = args.global();
            logConfigurer.configure(g.logLevel(), g.logFile(), g.logRotationSizeMib());
            LOG.info(buildInfo.programInfo());
            StartupTrace.mark("logging");
            StartupPlan plan = new StartupResolver(env).resolve(args);
            StartupTrace.mark("config");
            if (stop.isRequested()) {
                LOG.info("stopped by {} before anything was started", stop.source().orElse("a signal"));
                return EXIT_OK;
            }
            launcher.launch(plan, new LaunchContext(stop, logConfigurer, errors));
            return EXIT_OK;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return fail(e);
        } catch (Exception e) {
            return fail(e);
        } catch (OutOfMemoryError e) {
            // Whatever asked for too much is unreachable now; what is left is enough to say so.
            return fail(new StartupException("out of memory (" + e.getMessage() + "; heap limit "
                    + (Runtime.getRuntime().maxMemory() >> 20) + " MiB)", e));
        } catch (StackOverflowError e) {
            return fail(new StartupException("stack overflow", e));
        }
    }

    private int fail(Exception e) {
        String msg = e.getMessage() == null ? e.getClass().getName() : e.getMessage();
        // One line, whatever the message holds.
        msg = msg.replace('\n', ' ');
        if (e instanceof StartupException) {
            LOG.error(msg);
            LOG.debug("startup failure", e);
        } else {
            LOG.error(msg, e);
        }
        err.println("Error: " + msg);
        err.flush();
        return EXIT_STARTUP_FAILED;
    }
}
