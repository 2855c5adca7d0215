package dev.jnydus.daemon.cli;

import java.util.ServiceLoader;

/** The {@code nydusd} entry point: the real streams, environment, logging and launcher. */
public final class Main {
    private Main() {
    }

    public static void main(String[] argv) {
        // First: from here on a SIGTERM is a request the daemon handles, never a JVM exit.
        StopSignals stop = StopSignals.install();
        ErrorEvents errors = new ErrorEvents();
        DaemonLauncher launcher = ServiceLoader.load(DaemonLauncher.class).findFirst()
                .orElse(plan -> {
                    throw new StartupException("this build has no daemon launcher (no "
                            + DaemonLauncher.class.getName() + " service registered)");
                });
        int status = new NydusdCli(System.out, System.err, System.getenv(), BuildInfo.current(),
                new LogbackConfigurer(errors), launcher, stop, errors).run(argv);
        System.exit(status);
    }
}
