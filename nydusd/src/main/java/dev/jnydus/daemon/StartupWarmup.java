package dev.jnydus.daemon;

import dev.jnydus.config.NydusConfig;
import dev.jnydus.sys.ProcessIds;
import org.slf4j.LoggerFactory;

/**
 * What every daemon start needs made ready, begun on a thread of its own while {@code main} sets
 * up logging and reads the command line ({@link FuseDaemonLauncher#prepare}): the configuration's
 * classes, and JNA with the libc binding (a native library loaded and its methods registered). The start then finds them ready instead of doing
 * them in turn; on two CPUs this takes them off the path to the mount. Nothing here is visible:
 * a configuration that is built and dropped, a process id read.
 */
final class StartupWarmup {
    private StartupWarmup() {
    }

    /**
     * Starts both on threads of their own, JNA first: the start waits for it longest (its
     * {@code java.util.logging} makes the JDK read every jar of the class path). SLF4J is set up
     * on the calling thread before the configuration's step starts, as that step makes classes
     * with loggers: set up by two threads at once, SLF4J hands one of them stand-in loggers whose
     * calls it replays later with a warning on standard error. JNA's step makes none.
     * Classes, not lambdas: the first lambda of a run sets up the JDK's method-handle machinery,
     * which {@code main} would otherwise pay for here, before logging is up.
     */
    static void start() {
        start(new Step("startup-warmup-native") {
            @Override
            void work() throws Exception {
                ProcessIds.geteuid();
            }
        });
        LoggerFactory.getILoggerFactory();
        start(new Step("startup-warmup-config") {
            @Override
            void work() throws Exception {
                NydusConfig.forLocalfsDir("/").toJson();
            }
        });
    }

    private abstract static class Step extends Thread {
        Step(String name) {
            super(name);
        }

        abstract void work() throws Exception;

        @Override
        public final void run() {
            try {
                work();
            } catch (Exception | LinkageError e) {
                // Only a head start: the daemon does the same work again and reports what fails.
            }
        }
    }

    private static void start(Step t) {
        t.setDaemon(true);
        t.start();
    }
}
