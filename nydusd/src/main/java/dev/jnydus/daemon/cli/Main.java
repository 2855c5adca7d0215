package dev.jnydus.daemon.cli;

import java.util.ServiceLoader;

/** The {@code nydusd} entry point: the real streams, environment, logging and launcher. */
public final class Main {
    private Main() {
    }

    public static void main(String[] argv) {
        StartupTrace.mark("main");
        if (CliParser.isVersionOnly(argv)) {
            // What the snapshotter runs to learn the build: print it before anything is set up
            // (logging, the launcher), as NydusdCli would.
            System.out.print(BuildInfo.current().versionText());
            System.out.flush();
            StartupTrace.mark("version");
            StartupTrace.write();
            System.exit(NydusdCli.EXIT_OK);
        }
        // First: from here on a SIGTERM is a request the daemon handles, never a JVM exit.
        StopSignals stop = StopSignals.install();
        StartupTrace.mark("signals");
        ErrorEvents errors = new ErrorEvents();
        DaemonLauncher launcher = ServiceLoader.load(DaemonLauncher.class).findFirst()
                .orElse(plan -> {
                    throw new StartupException("this build has no daemon launcher (no "
                            + DaemonLauncher.class.getName() + " service registered)");
                });
        if (mayStartDaemon(argv)) {
            launcher.prepare();
        }
        StartupTrace.mark("launcher");
        NydusdCli cli = new NydusdCli(System.out, System.err, System.getenv(), BuildInfo.current(),
                new LogbackConfigurer(errors), launcher, stop, errors);
        StartupTrace.mark("cli");
        int status = cli.run(argv);
        System.exit(status);
    }

    /** False for the command lines that only print (help, version) or are empty. */
    static boolean mayStartDaemon(String[] argv) {
        if (argv.length == 0) {
            return false;
        }
        for (String a : argv) {
            if (a.equals("-V") || a.equals("--version") || a.equals("-h") || a.equals("--help")) {
                return false;
            }
        }
        return true;
    }
}
