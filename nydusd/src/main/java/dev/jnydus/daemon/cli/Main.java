package dev.jnydus.daemon.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
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
        DaemonLauncher launcher = findLauncher();
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

    /**
     * The registered {@link DaemonLauncher}. The service file is read from this class's own jar
     * first: {@code ServiceLoader} would open every jar of the class path (about 40) to look for
     * others, a cost at every start for a service only nydusd's own jar registers.
     */
    static DaemonLauncher findLauncher() {
        DaemonLauncher own = ownLauncher();
        if (own != null) {
            return own;
        }
        return ServiceLoader.load(DaemonLauncher.class).findFirst()
                .orElse(new MissingLauncher());
    }

    private static DaemonLauncher ownLauncher() {
        String name = null;
        try (InputStream in = Main.class.getResourceAsStream(SERVICE_FILE)) {
            if (in == null) {
                return null;
            }
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                int hash = line.indexOf('#');
                String s = (hash >= 0 ? line.substring(0, hash) : line).trim();
                if (!s.isEmpty()) {
                    name = s;
                    break;
                }
            }
            if (name == null) {
                return null;
            }
            return Class.forName(name, true, Main.class.getClassLoader()).asSubclass(DaemonLauncher.class)
                    .getConstructor().newInstance();
        } catch (IOException | ReflectiveOperationException | ClassCastException | LinkageError e) {
            // ServiceLoader then reports it or finds another.
            return null;
        }
    }

    private static final String SERVICE_FILE = "/META-INF/services/" + DaemonLauncher.class.getName();

    /** A build without a launcher fails the start with one line. */
    private static final class MissingLauncher implements DaemonLauncher {
        @Override
        public void launch(StartupPlan plan) throws StartupException {
            throw new StartupException("this build has no daemon launcher (no "
                    + DaemonLauncher.class.getName() + " service registered)");
        }
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
